// A payment's confirmation number: what the customer's receipt shows and staff match against. It is the
// payment id's last ten characters (the random part of the id), in two groups of five, so it needs no column
// of its own and a rep can find the payment from it.
export function confirmationNumber(paymentId: string): string {
  const tail = paymentId
    .replace(/[^0-9A-Za-z]/g, '')
    .slice(-10)
    .toUpperCase();
  return `${tail.slice(0, 5)}-${tail.slice(5)}`;
}
