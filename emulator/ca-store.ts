// Where the emulator's certificate authority lives on disk. Node reads NODE_EXTRA_CA_CERTS only when a
// process starts, so a test run creates the CA once (ensureCa) before starting any process that must
// trust it, and every emulator started later reuses that CA and signs a fresh leaf with it.
// Asynchronous because the certificates are signed with WebCrypto (emulator/certificates.ts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createCertificateAuthority, type CertificateWithKey } from "./certificates";

/** File name of the CA certificate inside a CA directory (what NODE_EXTRA_CA_CERTS points at). */
export const CA_CERT_FILE = "ca.pem";
/** File name of the CA private key inside a CA directory (mode 0600). */
export const CA_KEY_FILE = "ca-key.pem";

const CREATION_WAIT_MS = 10_000;

/**
 * Creates the emulator's certificate authority in `caDir` unless it is already there, and returns the
 * path of its certificate. Safe when several processes call it at once: one creates, the others wait.
 * @param caDir directory for `ca.pem` and `ca-key.pem`; created if missing.
 */
export async function ensureCa(caDir: string): Promise<{ caPath: string }> {
  const certPath = path.join(caDir, CA_CERT_FILE);
  const keyPath = path.join(caDir, CA_KEY_FILE);
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) return { caPath: certPath };
  fs.mkdirSync(caDir, { recursive: true });
  // The key file is the creation lock: whoever creates it exclusively writes both files; the
  // certificate appears last (write then rename), so its presence means the pair is complete.
  let keyFd: number;
  try {
    keyFd = fs.openSync(keyPath, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    await waitForFile(certPath, keyPath);
    return { caPath: certPath };
  }
  try {
    const ca = await createCertificateAuthority();
    fs.writeSync(keyFd, ca.keyPem);
    fs.closeSync(keyFd);
    writeFileAtomic(certPath, ca.certPem, 0o644);
  } catch (error) {
    fs.rmSync(keyPath, { force: true });
    throw error;
  }
  return { caPath: certPath };
}

/** Reads the CA written by `ensureCa` (creating it first if needed). */
export async function loadCa(caDir: string): Promise<CertificateWithKey & { caPath: string }> {
  const { caPath } = await ensureCa(caDir);
  return {
    caPath,
    certPem: fs.readFileSync(caPath, "utf8"),
    keyPem: fs.readFileSync(path.join(caDir, CA_KEY_FILE), "utf8"),
  };
}

/**
 * Creates a throw-away CA whose certificate is written to a new temporary directory (so that a
 * `caPath` exists for clients); the caller removes `dir` when done.
 */
export async function temporaryCa(): Promise<CertificateWithKey & { caPath: string; dir: string }> {
  const ca = await createCertificateAuthority();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmss-identity-emulator-ca-"));
  const caPath = path.join(dir, CA_CERT_FILE);
  fs.writeFileSync(caPath, ca.certPem, { mode: 0o644 });
  return { ...ca, caPath, dir };
}

async function waitForFile(certPath: string, keyPath: string): Promise<void> {
  const deadline = Date.now() + CREATION_WAIT_MS;
  while (!fs.existsSync(certPath)) {
    if (Date.now() > deadline) {
      throw new Error(
        `ensureCa: '${keyPath}' exists but '${certPath}' did not appear within ${CREATION_WAIT_MS} ms; ` +
          `a previous creation was probably interrupted: delete the directory '${path.dirname(certPath)}' and retry`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function writeFileAtomic(file: string, content: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content, { mode });
  fs.renameSync(temp, file);
}
