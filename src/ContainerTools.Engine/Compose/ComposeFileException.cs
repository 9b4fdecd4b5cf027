namespace ContainerTools.Engine.Compose
{
    /// <summary>
    /// A compose file (or its .env file) that cannot be used: it does not parse, has a key or a value the
    /// compose specification does not allow, or refers to something that does not exist. Always says where
    /// (File, Line, Column; 1-based, 0 when no position applies) and what is wrong.
    /// </summary>
    public sealed class ComposeFileException : ContainerEngineException
    {
        public ComposeFileException(string file, int line, int column, string problem, System.Exception? inner = null)
            : base("ComposeFileInvalid", EngineErrorKind.SyntaxError, Format(file, line, column, problem), file, inner)
        {
            File = file;
            Line = line;
            Column = column;
            Problem = problem;
        }

        public string File { get; }

        public int Line { get; }

        public int Column { get; }

        /// <summary>What is wrong, without the position.</summary>
        public string Problem { get; }

        private static string Format(string file, int line, int column, string problem) =>
            line > 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}: {problem}";
    }
}
