namespace Vigil.Builder.Tests.Support;

/// <summary>Small real derivations with /bin/sh builders (the builder's PATH is empty: absolute paths).</summary>
internal static class Expressions
{
    /// <summary>
    /// <c>dep</c> (built on the server side), <c>top</c> (depends on it, two outputs, one referring
    /// to the other and to dep), <c>fail</c> (exits 3 after printing), and the sleepers named by
    /// a unique <paramref name="marker"/> so the test can look for leftover processes.
    /// </summary>
    public static string Farm(string marker) => $$"""
        let
          mk = name: script: derivation { inherit name; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" script ]; };
        in rec {
          dep = mk "farm-dep" "echo hello from dep > $out";
          top = derivation {
            name = "farm-top"; system = "x86_64-linux"; builder = "/bin/sh";
            outputs = [ "out" "doc" ];
            args = [ "-c" "echo building top; /bin/mkdir -p $out/bin $doc; /bin/cat ${dep} > $out/bin/copy; echo ${dep} > $out/ref; echo see $out > $doc/readme; /bin/ln -s copy $out/bin/link; echo top done" ];
          };
          fail = mk "farm-fail" "echo about to fail; echo second line; exit 3";
          ticking = mk "farm-ticking-{{marker}}" "while :; do echo tick; /bin/sleep 0.2; done; /bin/sleep {{marker}}";
          silent = mk "farm-silent-{{marker}}" "echo going quiet; /bin/sleep {{marker}}";
          chatty = mk "farm-chatty-{{marker}}" "i=0; while [ $i -lt 5000 ]; do echo line $i of a long log; i=$((i+1)); done; /bin/sleep {{marker}}";
          slow = mk "farm-slow-{{marker}}" "echo slow start; /bin/sleep 3; echo slow end > $out";
          big = mk "farm-big-{{marker}}" "i=0; while [ $i -lt 2000 ]; do echo 0123456789abcdef0123456789abcdef >> $out; i=$((i+1)); done";
        }
        """;
}
