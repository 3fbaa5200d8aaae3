// --cert/--key: a certificate you bring for the browser desktop, read once at creation and written to
// secrets/ (compose secrets: never in the image, never in `docker inspect`).
import { readFile } from 'node:fs/promises';
import { CLIError } from '../errors.ts';

async function readPem(flag: string, file: string, kind: RegExp, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CLIError(`cannot read --${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!kind.test(text)) throw new CLIError(`--${flag} ${file} is not a PEM ${what} (a "-----BEGIN ${what.toUpperCase()}-----" block)`);
  return text.trim();
}

export async function readTlsFiles(certFile: string | undefined, keyFile: string | undefined): Promise<{ certificate: string; key: string } | undefined> {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new CLIError('--cert and --key go together: the certificate (PEM) and its private key (PEM)');
  return {
    certificate: await readPem('cert', certFile, /-----BEGIN CERTIFICATE-----/, 'certificate'),
    key: await readPem('key', keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'),
  };
}

/** The compose secrets for a brought certificate (generators/remote-access.ts names them). */
export function tlsSecrets(tls: { certificate: string; key: string } | undefined): Record<string, string> {
  return tls ? { tls_certificate: tls.certificate, tls_key: tls.key } : {};
}
