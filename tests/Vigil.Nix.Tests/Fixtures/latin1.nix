derivation {
  name = "latin1";
  builder = ":";
  system = ":";
  chars = "едж";
}
