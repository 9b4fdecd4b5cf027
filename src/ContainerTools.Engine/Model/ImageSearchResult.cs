namespace ContainerTools.Engine.Model
{
    /// <summary>One hit of a registry search (docker search).</summary>
    public sealed class ImageSearchResult
    {
        internal ImageSearchResult(string name, string description, long stars, bool official, bool automated)
        {
            Name = name;
            Description = description;
            Stars = stars;
            Official = official;
            Automated = automated;
        }

        public string Name { get; }

        public string Description { get; }

        public long Stars { get; }

        public bool Official { get; }

        public bool Automated { get; }
    }
}
