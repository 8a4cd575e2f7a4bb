namespace LineWatch.IntegrationTests.Support;

/// <summary>The test classes that need a learned camera share one <see cref="LearnedLine"/> (it takes half a minute to make).</summary>
[CollectionDefinition(Name)]
public sealed class LearnedLineCollection : ICollectionFixture<LearnedLine>
{
    public const string Name = "learned line";
}
