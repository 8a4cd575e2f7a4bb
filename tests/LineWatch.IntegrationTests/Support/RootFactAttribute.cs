namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A test that needs root (a tmpfs mount, a mount namespace): run as root it runs, as CI does; otherwise it is
/// reported as skipped with the reason, never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string needs)
    {
        if (Environment.UserName != "root") Skip = $"needs root for {needs}";
    }
}
