/** The accounts an embedded installation starts with, so a first-time user can sign in at once. */
export const DEMO_ACCOUNTS = [
  { email: 'demo@consult-on.local', password: 'demo1234!', role: 'USER' as const },
  { email: 'admin@consult-on.local', password: 'admin1234!', role: 'ADMIN' as const },
];
