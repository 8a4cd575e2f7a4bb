namespace LineWatch.Scoring;

/// <summary>Where profiles live: DataDir/profiles/&lt;camera&gt;.profile.</summary>
public static class ProfileStore
{
    public static string Directory(string dataDir) => Path.Combine(dataDir, "profiles");

    public static string PathFor(string dataDir, string camera) => Path.Combine(Directory(dataDir), camera + ".profile");
}
