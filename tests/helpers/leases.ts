import pg from 'pg';

/** Owner of each live mailbox lease (by the address's local part), straight from PostgreSQL. */
export async function leaseOwners(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`select a.address, l.owner from mailbox_leases l join email_accounts a on a.id = l.account_id join engine_nodes n on n.id = l.owner where n.expires_at > now()`);
    return new Map(rows.map((r: { address: string; owner: string }) => [r.address.split('@')[0]!, r.owner]));
  } finally {
    await client.end();
  }
}
