// Runs once before the integration project: says which database the suite runs on.
export default function setup(): void {
  const target = process.env['DATABASE_URL'] ? `PostgreSQL (${new URL(process.env['DATABASE_URL']).host})` : 'embedded PGlite';
  console.log(`[correio tests] database suite runs on ${target}`);
}
