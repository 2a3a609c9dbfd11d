// What can go wrong between the pane and the service, as CafError values with a Romanian and an English message a
// department head can act on. `transient` errors are retried by the client and offered again by the pane.
import { CafError } from '../../plan/errors';
import type { Bilingual } from '../../plan/model';

export type ConnectErrorCode =
  | 'offline'
  | 'service-unreachable'
  | 'certificate'
  | 'timeout'
  | 'token-invalid'
  | 'token-missing'
  | 'forbidden'
  | 'rate-limited'
  | 'service-error'
  | 'bad-answer'
  | 'not-configured'
  | 'bad-address';

/** Codes worth trying again later: the network, a restarting service, a merge holding the lock. */
const TRANSIENT = new Set<string>(['offline', 'service-unreachable', 'timeout', 'service-error', 'rate-limited']);

export function isTransient(error: unknown): boolean {
  return error instanceof CafError && TRANSIENT.has(error.code);
}

function connectError(code: ConnectErrorCode, message: Bilingual, status = 0): CafError {
  return new CafError(code, message, status);
}

export const offline = (): CafError =>
  connectError('offline', {
    ro: 'Calculatorul nu este conectat la rețea. Registrul nu a fost modificat; reîncercați când rețeaua revine.',
    en: 'This computer is offline. The workbook was not changed; try again when the network is back.',
  });

export const unreachable = (origin: string): CafError =>
  connectError('service-unreachable', {
    ro: `Serviciul de sincronizare (${origin}) nu răspunde. Registrul nu a fost modificat; reîncercați peste câteva minute sau anunțați coordonatorul CAF.`,
    en: `The sync service (${origin}) does not answer. The workbook was not changed; try again in a few minutes or tell the CAF coordinator.`,
  });

/** A browser says only "Failed to fetch" for both a refused connection and a refused certificate. */
export const unreachableOrCertificate = (origin: string): CafError =>
  connectError('service-unreachable', {
    ro: `Serviciul de sincronizare (${origin}) nu răspunde sau certificatul lui de securitate a expirat ori nu este de încredere. Deschideți adresa în browser: dacă apare un avertisment de certificat, anunțați administratorul. Registrul nu a fost modificat.`,
    en: `The sync service (${origin}) does not answer, or its security certificate has expired or is not trusted. Open the address in a browser: if a certificate warning shows, tell the administrator. The workbook was not changed.`,
  });

export const certificate = (origin: string, detail: string): CafError =>
  connectError('certificate', {
    ro: `Certificatul de securitate al serviciului (${origin}) a expirat sau nu este de încredere (${detail}). Anunțați administratorul serviciului. Registrul nu a fost modificat.`,
    en: `The service's security certificate (${origin}) has expired or is not trusted (${detail}). Tell the service administrator. The workbook was not changed.`,
  });

export const timeout = (seconds: number): CafError =>
  connectError('timeout', {
    ro: `Serviciul nu a răspuns în ${seconds} secunde. Registrul nu a fost modificat; reîncercați.`,
    en: `The service did not answer within ${seconds} seconds. The workbook was not changed; try again.`,
  });

export const tokenInvalid = (): CafError =>
  connectError(
    'token-invalid',
    {
      ro: 'Tokenul de acces este greșit, a expirat sau a fost revocat. Cereți coordonatorului CAF un token nou și introduceți-l la „Conexiune”.',
      en: 'The access token is wrong, expired or revoked. Ask the CAF coordinator for a new token and enter it under “Connection”.',
    },
    401,
  );

export const tokenMissing = (): CafError =>
  connectError('token-missing', {
    ro: 'Introduceți tokenul de acces primit de la coordonatorul CAF.',
    en: 'Enter the access token you received from the CAF coordinator.',
  });

export const notConfigured = (): CafError =>
  connectError('not-configured', {
    ro: 'Completați adresa serviciului de sincronizare și tokenul la „Conexiune”, apoi „Verifică conexiunea”.',
    en: 'Fill in the sync service address and the token under “Connection”, then “Check connection”.',
  });

export const badAddress = (text: string): CafError =>
  connectError('bad-address', {
    ro: `„${text}” nu este o adresă de serviciu: scrieți-o ca https://server.primarie.ro (http doar pentru 127.0.0.1 sau localhost).`,
    en: `"${text}" is not a service address: write it as https://server.cityhall.ro (http only for 127.0.0.1 or localhost).`,
  });

export const serviceError = (status: number): CafError =>
  connectError(
    'service-error',
    {
      ro: `Serviciul a întâmpinat o eroare (HTTP ${status}). Registrul nu a fost modificat; reîncercați peste câteva minute.`,
      en: `The service ran into an error (HTTP ${status}). The workbook was not changed; try again in a few minutes.`,
    },
    status,
  );

export const rateLimited = (): CafError =>
  connectError(
    'rate-limited',
    {
      ro: 'Serviciul primește prea multe cereri; reîncercați peste un minut.',
      en: 'The service is receiving too many requests; try again in a minute.',
    },
    429,
  );

export const badAnswer = (what: string): CafError =>
  connectError('bad-answer', {
    ro: `Răspunsul serviciului nu are forma așteptată (${what}). Poate add-in-ul și serviciul au versiuni diferite: anunțați administratorul.`,
    en: `The service's answer does not have the expected shape (${what}). The add-in and the service may be of different versions: tell the administrator.`,
  });
