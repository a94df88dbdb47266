// One throw-away PostgreSQL for the whole test assembly (tests/Vigil.Testing).
[assembly: AssemblyFixture(typeof(Vigil.Testing.PostgresFixture))]
