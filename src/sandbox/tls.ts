/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost, for serving the sandbox over HTTPS to
 * clients that insist on it (the Graph JS client sends its token and follows `@odata.nextLink` only for
 * `https://` URLs). Built in DER by hand, so that no openssl is needed.
 */
import { generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';

const der = (tag: number, content: Buffer): Buffer => {
  const length =
    content.length < 0x80
      ? Buffer.from([content.length])
      : content.length < 0x100
        ? Buffer.from([0x81, content.length])
        : Buffer.from([0x82, content.length >> 8, content.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const oid = (dotted: string) => {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = value >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
const time = (date: Date) =>
  der(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`));

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const altNames = seq(der(0x87, Buffer.from([127, 0, 0, 1])), der(0x82, Buffer.from('localhost')));
  const cert = certificatePem({
    commonName: 'talentsync sandbox',
    publicKey,
    privateKey,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    extensions: [seq(oid('2.5.29.17'), der(0x04, altNames))],
  });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert };
}

/**
 * A self-signed X.509 v3 certificate in PEM for an EC (P-256, ecdsa-with-SHA256) or RSA
 * (sha256WithRSAEncryption) key pair; Google's `/oauth2/v1/certs` publishes its signing keys this way.
 */
export function certificatePem(input: {
  commonName: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions?: Buffer[];
}): string {
  const algorithm =
    input.privateKey.asymmetricKeyType === 'rsa'
      ? seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)))
      : seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from(input.commonName)))));
  const serial = Buffer.from([1, ...Buffer.from(String(input.notBefore.getTime())).subarray(0, 8)]);
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    algorithm,
    name,
    seq(time(input.notBefore), time(input.notAfter)),
    name,
    input.publicKey.export({ type: 'spki', format: 'der' }),
    ...(input.extensions?.length ? [der(0xa3, seq(...input.extensions))] : []),
  );
  const signature = sign('sha256', tbs, input.privateKey);
  const cert = seq(tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${cert
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(pem);
  return pem;
}
