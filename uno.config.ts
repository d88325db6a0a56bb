import { defineConfig, presetWind3 } from 'unocss';

export default defineConfig({
  presets: [presetWind3()],
  shortcuts: {
    btn:
      'inline-flex items-center justify-center gap-1 min-h-11 min-w-11 px-3 rounded-lg border border-stone-300 bg-white text-stone-800 ' +
      'hover:bg-stone-100 active:bg-stone-200 disabled:opacity-40 disabled:cursor-not-allowed select-none ' +
      'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-600',
    'btn-primary': 'btn bg-stone-900 text-white border-stone-900 hover:bg-stone-700 active:bg-stone-800',
    'btn-on': 'bg-amber-100 border-amber-500 text-amber-900',
    panel: 'rounded-xl border border-stone-200 bg-white p-3 flex flex-col gap-3',
    'account-form': 'mx-auto mt-6 flex w-full max-w-sm flex-col gap-3 rounded-xl border border-stone-200 bg-white p-4 shadow-sm',
    'form-error': 'rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800',
    input:
      'min-h-11 rounded-lg border border-stone-300 bg-white px-3 text-base ' +
      'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-amber-600',
  },
  theme: {
    colors: { brand: '#1c1917' },
  },
});
