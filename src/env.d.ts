/// <reference types="astro/client" />
/// <reference types="vite-plugin-pwa/info" />
/// <reference types="vite-plugin-pwa/client" />

declare namespace App {
  interface Locals {
    lang: import('./i18n/messages.ts').Lang;
  }
}
