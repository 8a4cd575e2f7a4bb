namespace LineWatch.Agent.Cli;

/// <summary>Exit codes scripts and systemd can rely on.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A check failed or the agent hit an error it could not run through.</summary>
    public const int Failure = 1;
    /// <summary>The configuration (or the command line) is invalid; nothing was started.</summary>
    public const int InvalidConfiguration = 2;
}
