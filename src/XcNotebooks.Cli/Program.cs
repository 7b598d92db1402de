using XcNotebooks.Cli;

return XcnCli.Run(args);
