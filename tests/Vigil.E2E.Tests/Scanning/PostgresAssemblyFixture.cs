// One throw-away PostgreSQL for the whole test assembly (tests/Vigil.Testing), started on first use.
[assembly: AssemblyFixture(typeof(Vigil.Testing.PostgresFixture))]
