using System.Text;
using LineWatch.Comms.Webhooks;
using LineWatch.Configuration;

namespace LineWatch.Tests.Comms;

public sealed class WebhookUrlTests
{
    [Fact]
    public void A_user_part_becomes_basic_authentication_and_it_and_query_values_are_shown_as_stars()
    {
        var url = WebhookUrl.Parse("https://ops:s3cret%2Fpass@hooks.example.net:8443/alerts/in?token=abcdef123456&flag", out var error);

        Assert.NotNull(url);
        Assert.Equal("", error);
        Assert.Equal("https://hooks.example.net:8443/alerts/in?token=abcdef123456&flag", url.Target.ToString());
        Assert.Equal("", url.Target.UserInfo);
        Assert.Equal("Basic", url.Authorization!.Scheme);
        Assert.Equal("ops:s3cret/pass", Encoding.UTF8.GetString(Convert.FromBase64String(url.Authorization.Parameter!)));
        Assert.Equal("https://***@hooks.example.net:8443/alerts/in?token=***&***", url.Display);
    }

    [Fact]
    public void A_url_without_secrets_is_shown_as_it_is()
    {
        var url = WebhookUrl.Parse("http://127.0.0.1:9000/hook", out _);
        Assert.Equal("http://127.0.0.1:9000/hook", url!.Display);
        Assert.Null(url.Authorization);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("not a url", "is not an absolute URL")]
    [InlineData("/relative/hook", "is not an absolute URL")]
    [InlineData("ftp://user:hunter2hunter2@files.example.net/x", "'ftp://***@files.example.net/x' is not an http:// or https:// URL")]
    [InlineData("https://example.net/x#frag", "has a fragment")]
    public void A_bad_url_is_refused_and_the_error_never_repeats_a_secret(string text, string expected)
    {
        Assert.Null(WebhookUrl.Parse(text, out var error));
        Assert.Contains(expected, error);
        Assert.DoesNotContain("hunter2", error);
    }

    [Fact]
    public void The_log_scrubber_knows_the_password_and_the_query_values_escaped_and_unescaped()
    {
        var secrets = WebhookUrl.SecretsIn("https://ops:pa%24%24word@h.example/x?key=tok%2Ben&plain").ToArray();
        Assert.Contains("pa%24%24word", secrets);
        Assert.Contains("pa$$word", secrets);
        Assert.Contains("tok+en", secrets);
        Assert.Contains("plain", secrets);
        Assert.DoesNotContain("ops", secrets);

        var options = new AgentOptions { Webhooks = [new WebhookOptions { Name = "mes", Url = "https://h.example/x?key=tok%2Ben", Secret = "0123456789abcdef-secret" }] };
        var scrubbed = SecretValues.Scrub("posting with tok+en and 0123456789abcdef-secret", SecretValues.From(options));
        Assert.Equal("posting with *** and ***", scrubbed);
    }

    [Fact]
    public void The_signature_is_the_hmac_sha256_of_timestamp_dot_body()
    {
        // Reference value from Python: hmac.new(b'0123456789abcdef-secret', b'1764566400.{"id":"a"}', hashlib.sha256).hexdigest()
        Assert.Equal("sha256=d4ee693dd6dddffa5e0f8a96c0c5c6fc45d208ca0efbb9ff27f6d1e970c90b63",
            WebhookSignature.Sign("0123456789abcdef-secret", 1764566400, """{"id":"a"}"""u8));
    }
}
