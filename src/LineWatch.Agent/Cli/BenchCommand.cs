using System.CommandLine;
using System.Text.Json;
using LineWatch.Agent.Benchmarks;
using LineWatch.Capture;
using LineWatch.Configuration;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch bench …`: measured speed, printed as Markdown tables (for docs/benchmarks.md) or JSON.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: scan op, backbone, pipeline, video decoding, MQTT, a fleet through one central broker");
        command.Subcommands.Add(Scan());
        command.Subcommands.Add(Backbone());
        command.Subcommands.Add(PipelineBench());
        command.Subcommands.Add(Decode());
        command.Subcommands.Add(Mqtt());
        command.Subcommands.Add(Fleet());
        return command;
    }

    private static Command Fleet()
    {
        var agents = new Option<int>("--agents") { Description = "Simulated agents, each its own MQTT client", DefaultValueFactory = _ => 200 };
        var cameras = new Option<int>("--cameras") { Description = "Cameras per agent", DefaultValueFactory = _ => 4 };
        var alerts = new Option<double>("--alerts-per-camera-hour") { Description = "Alerts (a start and an end event each) per camera per hour", DefaultValueFactory = _ => 6 };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds", DefaultValueFactory = _ => 60 };
        var mosquitto = new Option<string>("--mosquitto") { Description = "The broker binary", DefaultValueFactory = _ => "/usr/sbin/mosquitto" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("fleet", "Many simulated agents (state every 5 s, alerts) through one central Mosquitto on loopback: delivered rate, latency, broker CPU and memory")
        {
            agents, cameras, alerts, seconds, mosquitto, json,
        };
        command.SetAction(parse =>
        {
            var r = FleetBenchmark.Run(Math.Max(1, parse.GetValue(agents)), Math.Max(1, parse.GetValue(cameras)), Math.Max(0, parse.GetValue(alerts)),
                Math.Max(5, parse.GetValue(seconds)), parse.GetValue(mosquitto)!, Console.Error.WriteLine);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(r, CliJson.Options));
                return r.Lost == 0 ? ExitCodes.Ok : ExitCodes.Failure;
            }
            Console.WriteLine($"CPU: {r.Cpu}");
            Console.WriteLine("| agents | cameras | alerts /camera/h | messages/s delivered | events/s | latency p50 ms | p99 ms | event p50 ms | event p99 ms | lost | broker CPU % of one core | broker peak RSS MB | generator CPU % |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine($"| {r.Agents} | {r.Agents * r.CamerasPerAgent} | {r.AlertsPerCameraHour:0.#} | {r.MessagesPerSecond:0} | {r.EventsPerSecond:0.0} | {r.LatencyP50Ms:0.0} | {r.LatencyP99Ms:0.0} | " +
                $"{r.EventLatencyP50Ms:0.0} | {r.EventLatencyP99Ms:0.0} | {r.Lost} | {r.BrokerCpuPercentOfOneCore:0.0} | {r.BrokerPeakRssMb:0.0} | {r.GeneratorCpuPercentOfOneCore:0} |");
            return r.Lost == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Mqtt()
    {
        var events = new Option<int>("--events") { Description = "Events timed for latency", DefaultValueFactory = _ => 400 };
        var rate = new Option<double>("--rate") { Description = "Events per second while timing latency", DefaultValueFactory = _ => 20 };
        var burst = new Option<int>("--burst") { Description = "Events in the throughput burst", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("mqtt", "Alert latency from the scorer to an MQTT subscriber, and events/s through the durable outbox") { events, rate, burst, json };
        command.SetAction(parse =>
        {
            var r = MqttBenchmark.Run(Math.Max(2, parse.GetValue(events)), Math.Clamp(parse.GetValue(rate), 0.1, 1000), Math.Max(2, parse.GetValue(burst)), Console.Error.WriteLine);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(r, CliJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine("| events timed | rate /s | latency p50 ms | p90 ms | p99 ms | max ms | burst events | burst events/s | lost | snapshot bytes |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine($"| {r.Events} | {r.RatePerSecond:0.#} | {r.LatencyP50Ms:0.0} | {r.LatencyP90Ms:0.0} | {r.LatencyP99Ms:0.0} | {r.LatencyMaxMs:0.0} | {r.BurstEvents} | {r.BurstEventsPerSecond:0} | {r.Lost} | {r.SnapshotBytes} |");
            return r.Lost == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static Command PipelineBench()
    {
        var cameras = new Option<int>("--cameras") { Description = "File cameras of 1280x720 at 25 fps", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds (after the warm-up)", DefaultValueFactory = _ => 30 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds before measuring", DefaultValueFactory = _ => 5 };
        var fps = new Option<double>("--fps") { Description = "Analysis frames per second per camera", DefaultValueFactory = _ => 8 };
        var stride = new Option<int>("--stride") { Description = "Frames between windows", DefaultValueFactory = _ => 4 };
        var ep = new Option<ModelDevice>("--ep") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => ModelDevice.Cpu };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var clips = new Option<ClipMode>("--clips")
        {
            Description = "Event clips: off; buffer (each camera fills its pre-roll); record (also an alert open on every camera, a clip encoded throughout)",
            DefaultValueFactory = _ => ClipMode.Off,
        };
        var command = new Command("pipeline", "Whole pipeline with N real-time 720p file cameras, tiny backbone 112² T=8") { cameras, seconds, warmup, fps, stride, ep, clips, json };
        command.SetAction(parse =>
        {
            var r = PipelineBenchmark.Run(Math.Max(1, parse.GetValue(cameras)), Math.Max(1, parse.GetValue(seconds)), Math.Max(0, parse.GetValue(warmup)),
                parse.GetValue(fps), Math.Max(1, parse.GetValue(stride)), parse.GetValue(ep), parse.GetValue(clips), Console.Error.WriteLine);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(r, CliJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{r.Cameras} camera(s), {r.Seconds:0} s measured, analysis {r.AnalysisFps:0.#} fps, stride {r.Stride}, {r.ExecutionProvider.Replace("ExecutionProvider", "")}: " +
                $"process CPU {r.ProcessCpuPercentOfOneCore:0}% of one core, peak RSS {r.PeakRssMb:0} MB, inference p50 {r.InferenceP50Ms:0} ms per batch, " +
                $"managed allocation {r.ManagedBytesPerFrame:0} bytes per decoded frame, " +
                $"target {(r.HoldsTarget ? "held" : "NOT held")} (every camera's frames scored at >= 95% of its rate, p99 < 1 s)");
            if (r.Clips is { } k)
            {
                Console.WriteLine($"Event clips ({k.Mode.ToString().ToLowerInvariant()}): {k.Width}x{k.Height} at {k.Fps:0.#} fps, encoder CPU {k.EncoderCpuPercentOfOneCore:0}% of one core, " +
                    $"pre-roll ring {k.RingMbPerCamera:0.0} MB per camera holding {k.HeldSeconds:0.0} s, JPEG {k.JpegBytesPerFrame / 1024:0.0} KB per frame, " +
                    $"{k.ClipsWritten} clip(s) written (median {k.ClipSecondsMedian:0.0} s, {k.ClipMbMedian:0.0} MB), {k.FramesDropped} clip frames dropped");
            }
            Console.WriteLine();
            Console.WriteLine("| camera | target fps | sampled fps | analysed fps | % of target | decoded fps | clips dropped | windows/s | latency p50 ms | latency p99 ms |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var c in r.Rows)
            {
                Console.WriteLine($"| {c.Camera} | {c.TargetFps:0.#} | {c.SampledFps:0.00} | {c.AnalysedFps:0.00} | {c.PercentOfTarget:0.0} | {c.DecodedFps:0.0} | {c.ClipsDropped} | {c.WindowsPerSecond:0.00} | {c.LatencyP50Ms:0} | {c.LatencyP99Ms:0} |");
            }
            return r.HoldsTarget ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Decode()
    {
        var files = new Option<string[]>("--file") { Description = "A video to decode (repeatable); default: the 720p25 H.264 benchmark clip and opencv-doc's vtest.avi" };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes of each kind per file (medians reported)", DefaultValueFactory = _ => 5 };
        var frames = new Option<int>("--frames") { Description = "Frames per pass at most (0: the whole file)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("decode", "Decoding speed of the capture stack: frames/s decoded, and decoded + preprocessed to 112x112 float CHW") { files, repeats, frames, json };
        command.SetAction(parse =>
        {
            DecodeBenchmark.Result r;
            try
            {
                r = DecodeBenchmark.Run(parse.GetValue(files) ?? [], Math.Max(1, parse.GetValue(repeats)), Math.Max(0, parse.GetValue(frames)), Console.Error.WriteLine);
            }
            catch (VideoSourceException e)
            {
                Console.Error.WriteLine($"linewatch: {e.Message}");
                return ExitCodes.Failure;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(r, CliJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{r.Cpu}, {r.LogicalCpus} logical CPUs; OpenCV {r.OpenCv}; medians of {r.Repeats} passes each");
            Console.WriteLine();
            Console.WriteLine("| file | size | codec | backend | frames | decode fps | decode+preprocess fps | preprocess ms/frame | decode CPU ms/frame | decode+preprocess CPU ms/frame | managed B/frame | +signals fps | signals ms/frame | clip frame CPU ms/frame | clip JPEG KB/frame |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var row in r.Rows)
            {
                Console.WriteLine($"| {row.File} | {row.Width}x{row.Height} | {row.Codec} | {row.Backend} | {row.Frames} | {row.DecodeFps:0} | {row.PreprocessFps:0} | {row.PreprocessMsPerFrame:0.00} | {row.DecodeCpuMsPerFrame:0.00} | {row.PreprocessCpuMsPerFrame:0.00} | {row.ManagedBytesPerFrame:0.#} | {row.SignalsFps:0} | {row.SignalsMsPerFrame:0.00} | {row.ClipFrameCpuMsPerFrame:0.00} | {row.ClipJpegBytesPerFrame / 1024:0.0} |");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Scan()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs of the custom op (the reference runs a quarter as often on CPU)", DefaultValueFactory = _ => 20 };
        var ep = new Option<ModelDevice>("--ep") { Description = "cpu: our CPU kernel vs ONNX Scan; cuda: our CUDA kernel vs our CPU kernel", DefaultValueFactory = _ => ModelDevice.Cpu };
        var half = new Option<bool>("--half") { Description = "With --ep cuda: fp16 activations" };
        var kernel = ScanKernelOption();
        var command = new Command("scan", "SelectiveScan: our op vs a reference at VideoMamba-Ti shapes, next to the roofline measured in the same run") { json, repeats, ep, half, kernel };
        command.SetAction(parse =>
        {
            var n = Math.Max(1, parse.GetValue(repeats));
            var device = parse.GetValue(ep);
            if (device == ModelDevice.Auto || (parse.GetValue(half) && device != ModelDevice.Cuda))
            {
                Console.Error.WriteLine("linewatch: bench scan takes --ep cpu or --ep cuda, and --half only with --ep cuda");
                return ExitCodes.InvalidConfiguration;
            }
            ScanBenchmark.Result result;
            try
            {
                if (!TryScanKernels(parse.GetValue(kernel), out var kernels)) return ExitCodes.InvalidConfiguration;
                result = ScanBenchmark.Run(device, parse.GetValue(half), kernels, n, device == ModelDevice.Cuda ? n : Math.Max(1, n / 4), Console.Error.WriteLine);
            }
            catch (Inference.ModelLoadException e)
            {
                Console.Error.WriteLine($"linewatch: {e.Message}");
                return ExitCodes.Failure;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, CliJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{result.Cpu}, {result.Threads} threads (ORT idle-thread spinning off); medians of {n} runs, interleaved. Roof: the least time " +
                "the call can take here, the slower of the kernel's own arithmetic in registers (compute) and a copy of the op's bytes (memory), measured in the same loop.");
            Console.WriteLine();
            Console.WriteLine("| B | D | N | L | kernel | ms | roof ms | bound | × roof | reference | reference ms | speed-up | GB/s | reference GB/s | max abs diff |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in result.Rows)
            {
                Console.WriteLine($"| {r.Batch} | {r.Channels} | {r.State} | {r.Length} | {r.Kernel} | {r.CustomMs:0.00} | {r.RoofMs:0.00} | {r.RoofBound} | {r.TimesRoof:0.00} | {r.Reference} | {r.ReferenceMs:0.0} | {r.Speedup:0.0}× | {r.CustomGBps:0.00} | {r.ReferenceGBps:0.000} | {r.MaxAbsDifference:0.0E+0} |");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Backbone()
    {
        var spec = new BackboneOptions();
        var ep = new Option<ModelDevice>("--ep") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => ModelDevice.Cpu };
        var batch = new Option<int>("--batch") { Description = "Clips per run", DefaultValueFactory = _ => 1 };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON (an array: one result per kernel)" };
        var kernel = ScanKernelOption();
        var noSpin = new Option<bool>("--no-spin") { Description = "Turn ORT's idle-thread spinning off (Model:IntraOpSpinning false)" };
        var command = new Command("backbone", "Backbone throughput and latency, with a MatMul of the in_proj shape measured in the same run")
        {
            ep, batch, iterations, warmup, json, kernel, noSpin,
        };
        spec.AddTo(command);
        command.SetAction(parse =>
        {
            if (!spec.TryCreate(parse, out var backbone, out var error))
            {
                Console.Error.WriteLine($"linewatch: {error}");
                return ExitCodes.InvalidConfiguration;
            }
            if (!TryScanKernels(parse.GetValue(kernel), out var kernels)) return ExitCodes.InvalidConfiguration;
            var results = BackboneBenchmark.Run(backbone, parse.GetValue(ep), Math.Max(1, parse.GetValue(batch)), Math.Max(1, parse.GetValue(iterations)),
                Math.Max(0, parse.GetValue(warmup)), kernels, !parse.GetValue(noSpin), Console.Error.WriteLine);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(results, CliJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{BenchMachine.CpuModel()}, {Environment.ProcessorCount} logical CPUs; medians of {results[0].Iterations} runs, kernels interleaved");
            Console.WriteLine();
            Console.WriteLine("| arch | size | T | S | batch | EP | scan kernel | clips/s | p50 ms | p99 ms | CPU ms/clip | paper GFLOP/clip | GFLOP/s (paper) | counted GFLOP/clip | GFLOP/s (counted) | MatMul GFLOP/s | paper ÷ MatMul | counted ÷ MatMul |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in results)
            {
                Console.WriteLine($"| {r.Arch} | {r.Size} | {r.Frames} | {r.Image} | {r.Batch} | {r.ExecutionProvider.Replace("ExecutionProvider", "")} | {r.Kernel} | {r.ClipsPerSecond:0.00} | {r.LatencyP50Ms:0.0} | {r.LatencyP99Ms:0.0} | {r.CpuMsPerClip:0} | {r.PaperGflopPerClip:0.##}{(r.PaperValueScaled ? " (scaled)" : "")} | {r.PaperGflops:0.0} | {r.CountedGflopPerClip:0.##} | {r.CountedGflops:0.0} | {r.MatMulGflops:0.0} | {r.RatioPaperToMatMul:0.00} | {r.RatioCountedToMatMul:0.00} |");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string> ScanKernelOption() => new("--kernel")
    {
        Description = "CPU scan kernel: avx512, avx2 or baseline, or 'all' for every one this CPU runs, side by side (default: the one sessions use)",
    };

    /// <summary>The kernels --kernel names; false (with the message written) when this CPU does not run the one asked for.</summary>
    private static bool TryScanKernels(string? wanted, out IReadOnlyList<string> kernels)
    {
        var library = Inference.OrtSessionFactory.DefaultCustomOpLibrary;
        var available = Inference.CustomOpLibrary.ScanKernels(library);
        kernels = wanted switch
        {
            null or "" => [Inference.CustomOpLibrary.DefaultScanKernel(library)],
            "all" => available,
            _ when available.Contains(wanted) => [wanted],
            _ => [],
        };
        if (kernels.Count > 0) return true;
        Console.Error.WriteLine($"linewatch: --kernel '{wanted}' is not a scan kernel this CPU runs (it runs: {string.Join(", ", available)}; or 'all')");
        return false;
    }
}
