namespace Vigil.Nix.Hashing;

/// <summary>The textual encodings of a digest that Nix reads and prints.</summary>
public enum HashEncoding
{
    Base16,
    Nix32,
    Base64,
    Sri,
}
