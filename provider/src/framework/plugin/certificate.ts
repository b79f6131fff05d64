import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import * as der from './der';

export interface ServerCertificate {
  /** DER bytes, what the handshake line carries (base64 without padding). */
  der: Buffer;
  certificatePem: string;
  privateKeyPem: string;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/**
 * A fresh self-signed P-256 certificate for go-plugin's automatic mutual TLS. Terraform trusts
 * exactly this certificate (it arrives in the handshake) and checks it against ServerName
 * "localhost", which Go only matches through the SAN, never the CN. NotBefore lies in the past so
 * small clock differences do not make it "not yet valid".
 */
export function createServerCertificate(now: Date = new Date()): ServerCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = der.sequence(
    der.set(der.sequence(der.objectIdentifier(OID.organization), der.utf8String('Terraform provider (Node.js)'))),
    der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String('localhost'))),
  );
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const signatureAlgorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256));
  const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
    der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
  // Same usages go-plugin gives its own certificates: digitalSignature, keyEncipherment,
  // keyAgreement, keyCertSign (bits 0, 2, 4, 5 → 0b10101100, 2 unused bits).
  const keyUsage = der.bitString(Buffer.from([0xac]), 2);
  const tbsCertificate = der.sequence(
    der.explicit(0, der.unsignedInteger(Buffer.from([2]))),
    der.unsignedInteger(serial),
    signatureAlgorithm,
    name,
    der.sequence(der.utcTime(new Date(now.getTime() - 5 * 60_000)), der.utcTime(new Date(now.getTime() + 30 * 24 * 3600_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(
      3,
      der.sequence(
        extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
        extension(OID.keyUsage, true, keyUsage),
        extension(OID.extendedKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth), der.objectIdentifier(OID.clientAuth))),
        // [2] IMPLICIT IA5String: dNSName
        extension(OID.subjectAltName, false, der.sequence(der.tagged(0x82, Buffer.from('localhost', 'ascii')))),
      ),
    ),
  );
  const signature = sign('sha256', tbsCertificate, privateKey);
  const certificate = der.sequence(tbsCertificate, signatureAlgorithm, der.bitString(signature));
  return {
    der: certificate,
    certificatePem: toPem('CERTIFICATE', certificate),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function toPem(label: string, bytes: Buffer): string {
  const lines = bytes.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
