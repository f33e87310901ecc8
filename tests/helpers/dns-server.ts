import { generateKeyPairSync } from 'node:crypto';
import dns2 from 'dns2';

const { Packet } = dns2;

export interface TestDns {
  /** `127.0.0.1:<port>`, for CORREIO_DNS_SERVERS. */
  server: string;
  /** Publishes (or replaces) the TXT strings of a name. */
  txt(name: string, value: string): void;
  /** Every name asked for, in order (to show a lookup was, or was not, made). */
  asked: string[];
  close(): Promise<void>;
}

/**
 * A real DNS server on loopback (UDP) answering TXT questions from a table: the SPF, DKIM and
 * DMARC records sender verification reads. Unknown names answer NXDOMAIN, as the internet does.
 */
export async function startTestDns(): Promise<TestDns> {
  const records = new Map<string, string>();
  const asked: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = question?.name.toLowerCase() ?? '';
      asked.push(name);
      const value = question?.type === Packet.TYPE.TXT ? records.get(name) : undefined;
      if (value === undefined) {
        response.header.rcode = records.has(name) ? 0 : 3;
      } else {
        // A TXT string holds at most 255 bytes: long records (DKIM keys) are split, as zone files do.
        const strings = value.match(/.{1,250}/g) ?? [''];
        response.answers.push({ name: question!.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data: strings } as never);
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return {
    server: `127.0.0.1:${addresses.udp!.port}`,
    txt: (name, value) => void records.set(name.toLowerCase(), value),
    asked,
    close: () => server.close(),
  };
}

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
  /** The TXT record to publish at `<selector>._domainkey.<domain>`. */
  record: string;
}

/** A fresh RSA key for DKIM or ARC signing and the DNS record that publishes it. */
export function dkimKey(domain: string, selector = 'correio'): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), record: `v=DKIM1; k=rsa; p=${spki}` };
}

/** Publishes a DKIM key under its selector. */
export function publishKey(dns: TestDns, key: DkimKey): void {
  dns.txt(`${key.selector}._domainkey.${key.domain}`, key.record);
}
