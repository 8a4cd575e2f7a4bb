using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A real HTTP server on loopback (.NET's HttpListener) standing in for a webhook's receiver, told by the test how to
/// behave: accept (200), fail (500), hang (never answer), or be down (not listening: the connection is refused). Every
/// request it got is recorded with its headers, body and what it answered.
/// <para>HttpListener sends whatever status a request's response holds (200 unless set) to every request still open when
/// it closes or aborts it. So a hung request holds 504 while it hangs, and one that arrives as the receiver goes down is
/// answered 503: else a request recorded as hung or refused would reach the agent as accepted.</para>
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    public enum Behaviour { Accept, Fail, Hang, Down }

    /// <summary>One POST as received.</summary>
    public sealed record Request(string? Delivery, string? Timestamp, string? Signature, string? Authorization, byte[] Body, Behaviour Answer)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    private readonly string _prefix;
    private readonly CancellationTokenSource _hung = new(); // released at the end: hung requests are then dropped
    private HttpListener? _listener;
    private volatile Behaviour _behaviour;

    public WebhookReceiver(Behaviour behaviour = Behaviour.Accept)
    {
        Port = MosquittoBroker.FreePort();
        _prefix = $"http://127.0.0.1:{Port}/";
        Set(behaviour);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";
    public ConcurrentQueue<Request> Requests { get; } = new();

    public IEnumerable<Request> Accepted => Requests.Where(r => r.Answer == Behaviour.Accept);

    public void Set(Behaviour behaviour)
    {
        _behaviour = behaviour;
        if (behaviour == Behaviour.Down)
        {
            _listener?.Close();
            _listener = null;
        }
        else if (_listener is null)
        {
            _listener = new HttpListener();
            _listener.Prefixes.Add(_prefix);
            _listener.Start();
            _ = ServeAsync(_listener);
        }
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed
            }
            _ = Task.Run(() => Answer(context));
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var behaviour = _behaviour;
        var headers = context.Request.Headers;
        Requests.Enqueue(new Request(headers["X-LineWatch-Delivery"], headers["X-LineWatch-Timestamp"], headers["X-LineWatch-Signature"],
            headers["Authorization"], body.ToArray(), behaviour));
        try
        {
            switch (behaviour)
            {
                case Behaviour.Hang:
                    context.Response.StatusCode = 504;
                    try { await Task.Delay(Timeout.Infinite, _hung.Token); } catch (OperationCanceledException) { }
                    context.Response.Abort();
                    return;
                case Behaviour.Fail:
                    context.Response.StatusCode = 500;
                    break;
                case Behaviour.Down:
                    context.Response.StatusCode = 503;
                    break;
                default:
                    context.Response.StatusCode = 200;
                    break;
            }
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
            // the client gave up first
        }
    }

    /// <summary>Whether the request carries a valid signature: sha256= HMAC-SHA256(secret, "TIMESTAMP." + body), computed here independently.</summary>
    public static bool SignatureVerifies(Request request, string secret)
    {
        if (request.Timestamp is null || request.Signature is null) return false;
        var signed = Encoding.UTF8.GetBytes(request.Timestamp + ".").Concat(request.Body).ToArray();
        var expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(request.Signature));
    }

    public void Dispose()
    {
        _hung.Cancel();
        _listener?.Close();
        _hung.Dispose();
    }
}
