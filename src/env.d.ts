/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    lang: import('./i18n/messages.ts').Lang;
  }
}
