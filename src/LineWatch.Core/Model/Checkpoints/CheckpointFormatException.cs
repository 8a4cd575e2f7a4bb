namespace LineWatch.Model.Checkpoints;

/// <summary>A checkpoint file cannot be read as a state dict; the message names the file and the reason.</summary>
public sealed class CheckpointFormatException(string file, string reason, Exception? inner = null)
    : Exception($"{file}: {reason}", inner)
{
    public string File { get; } = file;
}
