namespace LineWatch.Configuration;

public enum DashboardAuthMode
{
    None,
    /// <summary>A bearer token; only its SHA-256 is stored in the configuration.</summary>
    Token,
    /// <summary>HTTP Basic with a user name and a PBKDF2 password hash.</summary>
    Basic,
}

public sealed class DashboardOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Semicolon-separated listen URLs. A non-loopback address requires Auth.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    public DashboardAuthOptions Auth { get; set; } = new();
}

public sealed class DashboardAuthOptions
{
    public DashboardAuthMode Mode { get; set; } = DashboardAuthMode.None;

    /// <summary>Hex SHA-256 of the bearer token (Mode = Token), as `linewatch hash-password --token` prints it.</summary>
    public string TokenSha256 { get; set; } = "";

    public string Username { get; set; } = "";

    /// <summary>PBKDF2 hash made by `linewatch hash-password` (Mode = Basic). Never the password itself.</summary>
    public string PasswordHash { get; set; } = "";
}
