namespace Vigil.Nix.StorePaths;

/// <summary>How a fixed-output hash covers the object: the file's bytes, or its NAR serialisation.</summary>
public enum ContentAddressMethod
{
    Flat,
    Recursive,
}
