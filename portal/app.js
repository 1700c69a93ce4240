// Tiny client shared by the portal and staff pages. Placeholder UI until the full front end lands.
// integer cents to "$1,234.05" without a float division
export const money = (c) =>
  `${c < 0 ? '-' : ''}$${Math.floor(Math.abs(c) / 100).toLocaleString('en-US')}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

let csrf = sessionStorage.getItem('csrf');

export async function api(path, opts = {}) {
  const headers = { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) };
  const res = await fetch(path, { ...opts, headers, credentials: 'same-origin' });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok)
    throw Object.assign(new Error(body?.error?.message ?? res.statusText), { status: res.status, body });
  return body;
}

export async function login(email, password) {
  const r = await api('/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) });
  csrf = r.csrfToken;
  sessionStorage.setItem('csrf', csrf);
  return r.user;
}

export async function logout() {
  await api('/auth/logout', { method: 'POST' }).catch(() => {});
  sessionStorage.removeItem('csrf');
  csrf = null;
  location.reload();
}

export function loginForm(el, onDone) {
  el.innerHTML = `<form class="card" id="login"><h2>Sign in</h2>
    <label for="email">Email</label><input id="email" type="email" autocomplete="username" required>
    <label for="password">Password</label><input id="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button><p class="error" role="alert" id="err"></p></form>`;
  el.querySelector('#login').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      onDone(await login(el.querySelector('#email').value, el.querySelector('#password').value));
    } catch (err) {
      el.querySelector('#err').textContent = err.message;
    }
  });
}

export function accountCard(a) {
  const bills = a.bills
    .map(
      (b) =>
        `<tr><td>${esc(b.period)}</td><td>${esc(b.billDate)}</td><td>${esc(b.dueDate)}</td><td class="num">${money(b.totalCents)}</td></tr>`,
    )
    .join('');
  const pays = a.payments
    .slice(0, 12)
    .map(
      (p) =>
        `<tr><td>${esc(String(p.receivedAt).slice(0, 10))}</td><td>${esc(p.method)}</td><td>${esc(p.status)}</td><td class="num">${money(p.amountCents)}</td></tr>`,
    )
    .join('');
  const svc = a.serviceAgreements.map((s) => `${esc(s.serviceType)} (${esc(s.rateSchedule)})`).join(', ');
  return `<section class="card"><h2>Account ${esc(a.accountNumber)}</h2>
    <p class="muted">${esc(a.customer.name)} · ${esc(a.serviceAgreements[0]?.addressLine1 ?? '')} · ${svc}</p>
    <p>Balance</p><p class="balance" data-testid="balance">${money(a.balanceCents)}</p>
    ${a.dueDate ? `<p>Due ${esc(a.dueDate)}</p>` : ''}
    <h3>Bills</h3><table><thead><tr><th>Period</th><th>Billed</th><th>Due</th><th class="num">Amount</th></tr></thead><tbody>${bills || '<tr><td colspan=4>No bills yet</td></tr>'}</tbody></table>
    <h3>Payments</h3><table><thead><tr><th>Date</th><th>Method</th><th>Status</th><th class="num">Amount</th></tr></thead><tbody>${pays || '<tr><td colspan=4>No payments yet</td></tr>'}</tbody></table></section>`;
}
