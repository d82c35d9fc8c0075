// Runs the real curl with the same arguments the probe parsed, and reads the
// facts curl -v prints: exit code, certificate subject, HTTP status.
import { execa } from 'execa';

export interface CurlObservation {
  exitCode: number;
  stderr: string;
  stdout: string;
  subject?: string;
  status?: number;
}

export async function curlAvailable(): Promise<string> {
  try {
    const { stdout } = await execa('curl', ['--version']);
    return stdout.split('\n')[0] ?? 'curl';
  } catch {
    throw new Error('the probe tests compare with the real curl, and `curl` is not on PATH: install curl (e.g. apt-get install curl) and run again');
  }
}

export async function runCurl(args: string[]): Promise<CurlObservation> {
  const result = await execa('curl', ['-sS', '-v', '--max-time', '10', ...args], { reject: false, timeout: 20_000 });
  const subject = result.stderr.match(/^\*\s+subject: (.*)$/m)?.[1]?.trim();
  const status = result.stderr.match(/^< HTTP\/[\d.]+ (\d{3})/m)?.[1];
  return {
    exitCode: result.exitCode ?? -1,
    stderr: result.stderr,
    stdout: result.stdout,
    subject,
    status: status ? Number(status) : undefined,
  };
}
