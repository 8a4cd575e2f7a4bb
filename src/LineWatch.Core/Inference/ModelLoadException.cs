namespace LineWatch.Inference;

/// <summary>The model, the custom-op library or the execution provider could not be loaded; the message says which and why.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
