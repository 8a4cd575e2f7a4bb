namespace LineWatch.Processing;

/// <summary>Says whether a camera's windows are analysed now; a camera switched off is still captured.</summary>
public interface IAnalysisSwitch
{
    bool IsAnalysing(int camera);
}
