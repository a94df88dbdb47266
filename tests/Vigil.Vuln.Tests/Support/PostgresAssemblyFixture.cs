// The throw-away PostgreSQL server every PostgreSQL test of this assembly shares.
[assembly: AssemblyFixture(typeof(Vigil.Testing.PostgresFixture))]
