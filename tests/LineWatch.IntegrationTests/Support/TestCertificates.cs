using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A throw-away certificate authority made with openssl, a broker certificate it signed for 127.0.0.1
/// (as an IP subject alternative name, so hostname verification can stay on), and a client certificate it
/// signed, for brokers that require one.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TestCertificates()
    {
        OpenSsl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=LineWatch-test-CA -keyout ca.key -out ca.crt");
        OpenSsl("req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr");
        File.WriteAllText(_dir.File("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        OpenSsl("x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt");
        OpenSsl("req -newkey rsa:2048 -nodes -subj /CN=linewatch-agent -keyout client.key -out client.csr");
        OpenSsl("x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt");
    }

    public string CaFile => _dir.File("ca.crt");
    public string ServerCertFile => _dir.File("server.crt");
    public string ServerKeyFile => _dir.File("server.key");
    public string ClientCertFile => _dir.File("client.crt");
    public string ClientKeyFile => _dir.File("client.key");

    private void OpenSsl(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/openssl", arguments) { WorkingDirectory = _dir.Path, RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {arguments} failed: {error}");
    }

    public void Dispose() => _dir.Dispose();
}
