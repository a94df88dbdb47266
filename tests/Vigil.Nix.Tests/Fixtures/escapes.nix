# Raw bytes in strings: control characters stay raw in the .drv; only " \ LF CR TAB are escaped.
derivation {
  name = "escapes";
  builder = ":";
  system = ":";
  "key\"q" = "v";
  raw = "abcdé";
}
