/// <reference types="astro/client" />
/// <reference types="vite-plugin-pwa/info" />
/// <reference types="vite-plugin-pwa/client" />

declare namespace App {
  interface Locals {
    lang: import('./i18n/messages.ts').Lang;
    /** Who makes the request, set by src/middleware.ts on every non-public route. */
    actor?: import('./server/auth/accounts.ts').Actor;
  }
}
