// The portal formats money with the same code as the server's bills and messages.
export { formatCents, parseDollars } from '../../../domain/money-format';
