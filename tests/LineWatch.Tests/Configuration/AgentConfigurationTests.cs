using LineWatch.Configuration;

namespace LineWatch.Tests.Configuration;

public class AgentConfigurationTests
{
    private const string Valid = """
        {
          // comments are allowed, as in the shipped config
          "AgentId": "line-7",
          "DataDir": "state",
          "Cameras": [ { "Name": "press", "Source": "clips/press.mp4", "AnalysisFps": 6 } ],
          "Model": { "Path": "models/m.onnx", "Device": "cpu" },
          "Mqtt": { "Mode": "external", "Host": "broker.local", "Port": 8883 }
        }
        """;

    private static readonly KeyValuePair<string, string?>[] NoEnvironment = [];

    [Fact]
    public void A_value_that_is_not_a_number_inside_a_camera_is_named_not_the_camera_silently_dropped()
    {
        // The binder skips a list entry it cannot convert: the camera used to vanish from the agent without a word.
        using var file = new TempConfig(Valid.Replace("\"AnalysisFps\": 6", "\"AnalysisFps\": \"fast\""));
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));

        var only = Assert.Single(error.Errors);
        Assert.Equal("Cameras:0:AnalysisFps", only.Key);
        Assert.Contains("'fast' is not a valid number", only.Reason);
    }

    [Fact]
    public void Shift_errors_name_the_start_or_the_time_zone()
    {
        using var file = new TempConfig(Valid.Replace("\"Mqtt\"", """
            "Shifts": { "Starts": [ "06:00", "6pm", "06:00" ], "TimeZone": "Mars/Olympus" },
            "Mqtt"
            """));
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));

        Assert.Contains(error.Errors, e => e.Key == "Shifts:Starts:1" && e.Reason.Contains("HH:mm"));
        Assert.Contains(error.Errors, e => e.Key == "Shifts:Starts:2" && e.Reason.Contains("given twice"));
        Assert.Contains(error.Errors, e => e.Key == "Shifts:TimeZone" && e.Reason.Contains("Mars/Olympus"));
    }

    [Fact]
    public void Webhook_errors_name_the_entry_and_never_show_a_password_from_its_url()
    {
        using var file = new TempConfig(Valid.Replace("\"Mqtt\"", """
            "Webhooks": [
              { "Name": "mes", "Url": "https://mes.example/hook", "Secret": "0123456789abcdef" },
              { "Name": "scada", "Url": "ftp://ops:hunter2hunter2@scada.example/in" },
              { "Name": "mes", "Url": "https://x.example/?token=abc", "Secret": "short", "TimeoutSeconds": 0 }
            ],
            "Mqtt"
            """));
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));

        Assert.Contains(error.Errors, e => e.Key == "Webhooks:1:Url" && e.Reason.Contains("webhook 'scada'") && e.Reason.Contains("not an http:// or https:// URL"));
        Assert.Contains(error.Errors, e => e.Key == "Webhooks:2:Name" && e.Reason.Contains("used by another webhook"));
        Assert.Contains(error.Errors, e => e.Key == "Webhooks:2:Secret");
        Assert.Contains(error.Errors, e => e.Key == "Webhooks:2:TimeoutSeconds");
        Assert.DoesNotContain(error.Errors, e => e.Key.StartsWith("Webhooks:0", StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void Loads_a_valid_file_and_resolves_paths_against_its_folder()
    {
        using var file = new TempConfig(Valid);
        var config = AgentConfiguration.Load(file.Path, NoEnvironment);

        Assert.Equal("line-7", config.Options.AgentId);
        Assert.Equal(Path.Combine(file.Directory, "state"), config.Options.DataDir);
        Assert.Equal(Path.Combine(file.Directory, "models", "m.onnx"), config.Options.Model.Path);
        Assert.Equal(ModelDevice.Cpu, config.Options.Model.Device);
        Assert.Equal(MqttMode.External, config.Options.Mqtt.Mode);
        var source = Assert.Single(config.CameraSources);
        Assert.Equal(CameraSourceKind.File, source.Kind);
        Assert.Equal(Path.Combine(file.Directory, "clips", "press.mp4"), source.Location);
    }

    [Fact]
    public void Environment_variables_with_the_prefix_override_the_file()
    {
        using var file = new TempConfig(Valid);
        var config = AgentConfiguration.Load(file.Path,
        [
            new("LINEWATCH__Mqtt__Host", "10.1.2.3"),
            new("LINEWATCH__Cameras__0__AnalysisFps", "12.5"),
            new("OTHER__Mqtt__Host", "ignored"),
        ]);

        Assert.Equal("10.1.2.3", config.Options.Mqtt.Host);
        Assert.Equal(12.5, config.Options.Cameras[0].AnalysisFps);
    }

    [Fact]
    public void Malformed_json_names_file_line_and_column()
    {
        using var file = new TempConfig("{\n  \"AgentId\": \"a\"\n  \"DataDir\": \"b\"\n}");
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));

        Assert.Equal(file.Path, error.File);
        Assert.Contains("line 3 column 3", error.Errors[0].Key);
        Assert.Contains(file.Path, error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load("/nonexistent/linewatch.json", NoEnvironment));
        Assert.Contains("not found", error.Message);
        Assert.Contains("/nonexistent/linewatch.json", error.Message);
    }

    [Theory]
    [InlineData("""{ "Model": { "Path": "m.onnx", "Device": "gpu" } }""", "Model:Device", "auto|cuda|cpu")]
    [InlineData("""{ "Model": { "Path": "m.onnx", "ScanKernel": "avx1024" } }""", "Model:ScanKernel", "avx512, avx2 or baseline")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Mqtt": { "Port": "many" } }""", "Mqtt:Port", "whole number")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Mqtt": { "Port": 0 } }""", "Mqtt:Port", "1-65535")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Mqtt": { "Hots": "x" } }""", "Mqtt:Hots", "unknown setting")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Cameras": [ { "Name": "a", "Source": "ftp://h/x" } ] }""", "Cameras:0:Source", "unsupported source scheme 'ftp:'")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Cameras": [ { "Name": "a/b", "Source": "demo:" } ] }""", "Cameras:0:Name", "letters, digits")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Cameras": [ { "Name": "a", "Source": "demo:", "AnalysisFps": 0 } ] }""", "Cameras:0:AnalysisFps", "above 0")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Cameras": [ { "Name": "a", "Source": "demo:" }, { "Name": "A", "Source": "demo:" } ] }""", "Cameras:1:Name", "another camera")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Mqtt": { "TopicPrefix": "plant/#" } }""", "Mqtt:TopicPrefix", "without wildcards")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Alerts": { "FastScore": 0.9 } }""", "Alerts:FastScore", "at least OnScore")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Alerts": { "FastWindows": 0 } }""", "Alerts:FastWindows", "1-100")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Learning": { "MinSpeedChange": 0 } }""", "Learning:MinSpeedChange", "above 0 and at most 2")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Mqtt": { "Mode": "external", "Tls": { "Enabled": true } } }""", "Mqtt:Tls:CaFile", "required")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://0.0.0.0:8080" } }""", "Dashboard:Auth:Mode", "non-loopback")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://0.0.0.0@127.0.0.1:8080" } }""", "Dashboard:Urls", "user part")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://127.0.0.1:8080/linewatch" } }""", "Dashboard:Urls", "only http://host:port")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://127.0.0.1:8080?x=1" } }""", "Dashboard:Urls", "only http://host:port")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://127.0.0.1.example.com:8080" } }""", "Dashboard:Auth:Mode", "non-loopback")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://*:8080" } }""", "Dashboard:Auth:Mode", "non-loopback")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "AgentId": "" }""", "AgentId", "letters, digits")]
    [InlineData("""{ }""", "Model:Path", "required")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "MaxAlerts": 0 } }""", "History:MaxAlerts", "0 must be 1-1000000")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "MaxAlerts": 1000001 } }""", "History:MaxAlerts", "must be 1-1000000")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "MaxAgeDays": -1 } }""", "History:MaxAgeDays", "-1 must be 0 (no age limit)")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "MaxAgeDays": "NaN" } }""", "History:MaxAgeDays", "must be 0 (no age limit)")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "DiskReserveMB": -1 } }""", "History:DiskReserveMB", "-1 must be 0 (no reserve) to 1024")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "DiskReserveMB": 4096 } }""", "History:DiskReserveMB", "must be 0 (no reserve) to 1024")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "History": { "MaxDays": 3 } }""", "History:MaxDays", "unknown setting")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Clips": { "PreRollSeconds": -1 } }""", "Clips:PreRollSeconds", "0-60")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Clips": { "MaxWidth": 640 } }""", "Clips:MaxWidth", "both 0")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Clips": { "MaxSeconds": 3 } }""", "Clips:MaxSeconds", "PreRollSeconds + 1")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Clips": { "MaxDiskMegabytes": 0 } }""", "Clips:MaxDiskMegabytes", "at least 10")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Clips": { "Crf": 60 } }""", "Clips:Crf", "0-51")]
    [InlineData("""{ "Model": { "Path": "m.onnx" }, "Clips": { "Enable": true } }""", "Clips:Enable", "unknown setting")]
    public void An_invalid_value_is_reported_with_its_key_path(string json, string key, string reason)
    {
        using var file = new TempConfig(json);
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));

        var match = Assert.Single(error.Errors, e => e.Key == key);
        Assert.Contains(reason, match.Reason);
    }

    [Fact]
    public void History_retention_defaults_to_the_newest_10000_alerts_and_no_age_limit_and_can_be_set()
    {
        using (var file = new TempConfig(Valid))
        {
            var history = AgentConfiguration.Load(file.Path, NoEnvironment).Options.History;
            Assert.Equal(10_000, history.MaxAlerts);
            Assert.Equal(0, history.MaxAgeDays);
        }
        using var limited = new TempConfig(Valid.TrimEnd().TrimEnd('}') + """, "History": { "MaxAlerts": 500, "MaxAgeDays": 30 } }""");
        var set = AgentConfiguration.Load(limited.Path, NoEnvironment).Options.History;
        Assert.Equal(500, set.MaxAlerts);
        Assert.Equal(30, set.MaxAgeDays);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        using var file = new TempConfig("""{ "AgentId": "a b", "Model": { "Path": "" }, "Mqtt": { "Port": -1 } }""");
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));
        Assert.Equal(["AgentId", "Model:Path", "Mqtt:Port"], error.Errors.Select(e => e.Key).Order().ToArray());
    }

    [Fact]
    public void Loopback_dashboard_needs_no_auth_but_an_exposed_one_with_a_token_is_accepted()
    {
        using var loopback = new TempConfig("""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://localhost:8080;http://[::1]:8081" } }""");
        Assert.NotNull(AgentConfiguration.Load(loopback.Path, NoEnvironment));

        var hash = new string('a', 64);
        using var exposed = new TempConfig($$"""{ "Model": { "Path": "m.onnx" }, "Dashboard": { "Urls": "http://0.0.0.0:8080", "Auth": { "Mode": "token", "TokenSha256": "{{hash}}" } } }""");
        Assert.NotNull(AgentConfiguration.Load(exposed.Path, NoEnvironment));
    }

    [Fact]
    public void An_uplink_needs_the_embedded_broker_a_host_and_no_line_break_in_its_credentials()
    {
        using var file = new TempConfig("""
            { "Model": { "Path": "m.onnx" },
              "Mqtt": { "Mode": "external", "Host": "broker.local",
                        "Uplink": { "Enabled": true, "Host": "", "Port": 0, "Username": "box", "Password": "a\nconnection evil", "Tls": { "Enabled": true } } } }
            """);
        var error = Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment));

        Assert.Equal(["Mqtt:Uplink:Enabled", "Mqtt:Uplink:Host", "Mqtt:Uplink:Password", "Mqtt:Uplink:Port", "Mqtt:Uplink:Tls:CaFile"],
            error.Errors.Select(e => e.Key).Order().ToArray());
        Assert.DoesNotContain("evil", error.Message);
    }

    [Fact]
    public void An_uplink_of_the_embedded_broker_resolves_its_certificate_paths_against_the_file()
    {
        using var file = new TempConfig("""
            { "Model": { "Path": "m.onnx" },
              "Mqtt": { "Uplink": { "Enabled": true, "Host": "central.plant", "Port": 8883, "Tls": { "Enabled": true, "CaFile": "ca.pem" } } } }
            """);
        File.WriteAllText(Path.Combine(file.Directory, "ca.pem"), "");
        var config = AgentConfiguration.Load(file.Path, NoEnvironment);

        Assert.Equal(Path.Combine(file.Directory, "ca.pem"), config.Options.Mqtt.Uplink.Tls.CaFile);
    }

    [Fact]
    public void The_shipped_default_configuration_is_valid()
    {
        var shipped = Path.Combine(RepositoryRoot(), "config", "linewatch.json");
        var config = AgentConfiguration.Load(shipped, NoEnvironment);

        Assert.Equal(MqttMode.Embedded, config.Options.Mqtt.Mode);
        Assert.Equal("http://127.0.0.1:8080", config.Options.Dashboard.Urls);
        Assert.Equal(CameraSourceKind.Demo, Assert.Single(config.CameraSources).Kind);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LineWatch.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LineWatch.sln not found above " + AppContext.BaseDirectory);
    }
}
