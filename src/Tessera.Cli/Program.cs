using System.CommandLine;
using Tessera.Cli;
using Tessera.Cli.Commands;
using Tessera.Cli.Commands.JobRun;

Tessera.Archive.RegexTimeout.Apply(); // before any Regex is built (see RegexTimeout)
ConsoleSetup.Apply();
var root = new RootCommand("Tessera: an archive, viewer and pipeline engine for biomedical imaging data.")
{
    ServeCommand.Create(),
    DbCommand.Create(),
    LoginCommand.Create(),
    LogoutCommand.Create(),
    WhoamiCommand.Create(),
    ProjectsCommand.Create(),
    LsCommand.Create(),
    UploadCommand.Create(),
    ImportCommand.Create(),
    DicomCommand.Create(),
    DownloadCommand.Create(),
    UsersCommand.Create(),
    ToolsCommand.Create(),
    JobsCommand.Create(),
    JobRunCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
