// Pictures for the Generate step's choices, drawn for the project as small SVGs from the presets' own data, so that
// a card is never blank and nothing is downloaded for it: a scene is a sketch of the place, a model look a figure
// with its build, hair and age (the label says the rest). Pure: strings in, strings out.
import { type ModelLook, modelLooks, type PresetLocale, presetLabel, type Scene, scenes } from './index.ts';

const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 90" preserveAspectRatio="xMidYMid slice">${body}</svg>`;

const backdrop = (top: string, bottom: string) =>
  `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/>` +
  `<stop offset="1" stop-color="${bottom}"/></linearGradient></defs><rect width="120" height="90" fill="url(#g)"/>`;

const studio = (top: string, bottom: string, floor: string) =>
  svg(
    `${backdrop(top, bottom)}<path d="M0 66 Q60 58 120 66 V90 H0Z" fill="${floor}"/><ellipse cx="60" cy="72" rx="26" ry="4" fill="#0001"/>`,
  );

const windows = (x: number, y: number, cols: number, rows: number, colour: string) => {
  let out = '';
  for (let c = 0; c < cols; c++)
    for (let r = 0; r < rows; r++) out += `<rect x="${x + c * 6}" y="${y + r * 7}" width="3" height="4" fill="${colour}"/>`;
  return out;
};

const CLOTHES = ['#f9a8d4', '#fcd34d', '#93c5fd', '#c4b5fd', '#86efac', '#fdba74'];

const SCENES: Record<string, () => string> = {
  'studio-white': () => studio('#ffffff', '#e7e5e4', '#f5f5f4'),
  'studio-grey': () => studio('#e7e5e4', '#a8a29e', '#d6d3d1'),
  'studio-beige': () => studio('#f5e9da', '#d8c3a5', '#eadbc6'),
  'city-street': () =>
    svg(
      `${backdrop('#cfe3f5', '#eef5fb')}<rect x="4" y="22" width="26" height="50" fill="#9ca3af"/>${windows(8, 27, 4, 6, '#e5e7eb')}` +
        `<rect x="34" y="10" width="22" height="62" fill="#6b7280"/>${windows(37, 15, 3, 8, '#d1d5db')}` +
        `<rect x="78" y="28" width="38" height="44" fill="#a8a29e"/>${windows(82, 33, 6, 5, '#f5f5f4')}` +
        '<rect y="72" width="120" height="18" fill="#57534e"/>' +
        '<rect x="0" y="80" width="120" height="2" fill="#fafaf9" stroke-dasharray="6 6"/>',
    ),
  cafe: () =>
    svg(
      `${backdrop('#b7835a', '#8a5a3b')}<rect x="12" y="10" width="46" height="40" rx="3" fill="#fde7c5"/>` +
        '<path d="M35 10 V50 M12 30 H58" stroke="#8a5a3b" stroke-width="2"/><ellipse cx="86" cy="62" rx="22" ry="5" fill="#4a2f1f"/>' +
        '<rect x="84" y="62" width="4" height="24" fill="#4a2f1f"/><rect x="80" y="52" width="10" height="9" rx="2" fill="#fafaf9"/>' +
        '<rect y="80" width="120" height="10" fill="#5b3a26"/>',
    ),
  beach: () =>
    svg(
      `${backdrop('#7cc4f0', '#cde9fb')}<circle cx="96" cy="20" r="9" fill="#fde68a"/>` +
        '<rect y="50" width="120" height="14" fill="#2b8fcf"/>' +
        '<path d="M0 58 Q30 54 60 58 T120 58 V64 H0Z" fill="#5fb3e6"/><rect y="64" width="120" height="26" fill="#f3deb0"/>',
    ),
  park: () =>
    svg(
      `${backdrop('#bfe3f7', '#e8f6fd')}<circle cx="22" cy="40" r="16" fill="#4d9c4f"/>` +
        '<rect x="20" y="50" width="4" height="18" fill="#6b4f3a"/>' +
        '<circle cx="92" cy="34" r="20" fill="#3f8a43"/><rect x="90" y="48" width="5" height="20" fill="#6b4f3a"/>' +
        '<circle cx="58" cy="50" r="10" fill="#62b065"/><rect y="66" width="120" height="24" fill="#86c26b"/>',
    ),
  'loft-interior': () => {
    let bricks = '';
    for (let r = 0; r < 12; r++)
      for (let c = 0; c < 9; c++) bricks += `<rect x="${c * 14 + (r % 2) * 7 - 7}" y="${r * 6}" width="12" height="4" fill="#a4553a"/>`;
    return svg(
      `<rect width="120" height="90" fill="#7b3b27"/>${bricks}` +
        '<rect x="62" y="8" width="46" height="52" fill="#dbeafe" stroke="#1f2937" stroke-width="2"/>' +
        '<path d="M85 8 V60 M62 34 H108" stroke="#1f2937" stroke-width="2"/><rect y="70" width="120" height="20" fill="#78716c"/>',
    );
  },
  boutique: () =>
    svg(
      `${backdrop('#fbe7ec', '#f3d3dc')}<rect x="10" y="22" width="100" height="2" fill="#78716c"/>` +
        [18, 34, 50, 66, 82, 98]
          .map(
            (x, i) =>
              `<path d="M${x} 24 l-7 8 h14z" fill="none" stroke="#78716c"/>` +
              `<rect x="${x - 7}" y="32" width="14" height="26" rx="2" fill="${CLOTHES[i]}"/>`,
          )
          .join('') +
        '<rect y="72" width="120" height="18" fill="#e7c9b9"/>',
    ),
  'night-city': () =>
    svg(
      `${backdrop('#0f172a', '#1e3a5f')}<circle cx="98" cy="16" r="7" fill="#fef3c7"/>` +
        `<rect x="6" y="30" width="24" height="50" fill="#1f2937"/>${windows(10, 35, 4, 6, '#fde047')}` +
        `<rect x="36" y="16" width="22" height="64" fill="#111827"/>${windows(39, 21, 3, 8, '#facc15')}` +
        `<rect x="66" y="36" width="44" height="44" fill="#1f2937"/>${windows(70, 41, 7, 5, '#fbbf24')}` +
        '<rect y="80" width="120" height="10" fill="#020617"/>',
    ),
  'classical-garden': () =>
    svg(
      `${backdrop('#e8f1ec', '#cfe2d6')}<rect x="18" y="14" width="84" height="60" fill="#f5f5f4"/>` +
        '<circle cx="60" cy="46" r="22" fill="#7aa88a"/><path d="M10 16 Q60 2 110 16 L104 20 H16Z" fill="#374151"/>' +
        '<path d="M6 74 V30 M10 74 V36 M114 74 V28" stroke="#4d7c5a" stroke-width="3"/>' +
        '<rect y="74" width="120" height="16" fill="#9ca3af"/>',
    ),
};

/** A picture of a scene: the place's sketch, or its category's studio backdrop for a scene added later. */
export function sceneIllustration(scene: Pick<Scene, 'id' | 'category'>): string {
  const draw = SCENES[scene.id];
  if (draw) return draw();
  return scene.category === 'outdoor'
    ? SCENES.park!()
    : scene.category === 'indoor'
      ? SCENES['loft-interior']!()
      : SCENES['studio-grey']!();
}

const BUILD_WIDTH: Record<string, number> = {
  petite: 15,
  slim: 16,
  athletic: 19,
  average: 19,
  muscular: 22,
  broad: 23,
  'plus-size': 24,
  curvy: 23,
  'full-figured': 24,
};

/** A figure with the look's build, hair and age; the background colour tells the looks apart at a glance. */
export function lookIllustration(look: Pick<ModelLook, 'id' | 'gender' | 'ageRange' | 'bodyType'>, index = 0): string {
  const backgrounds = ['#e0e7ff', '#fce7f3', '#dcfce7', '#fef3c7', '#e0f2fe', '#f3e8ff'];
  const bg = backgrounds[index % backgrounds.length];
  const w = BUILD_WIDTH[look.bodyType] ?? 19;
  const age = Number.parseInt(look.ageRange, 10) || 30;
  const hair = age >= 50 ? '#d6d3d1' : age >= 40 ? '#57534e' : '#292524';
  const figure = '#a8a29e';
  const female = look.gender === 'female';
  const longHair = female ? `<path d="M47 24 Q60 8 73 24 L75 46 Q60 50 45 46Z" fill="${hair}"/>` : '';
  const shortHair = female ? '' : `<path d="M49 22 Q60 10 71 22 L70 18 Q60 12 50 18Z" fill="${hair}"/>`;
  const body = female
    ? `<path d="M${60 - w} 44 Q60 38 ${60 + w} 44 L${60 + w - 4} 66 L${60 + w + 2} 90 H${60 - w - 2} L${60 - w + 4} 66Z" fill="${figure}"/>`
    : `<path d="M${60 - w - 2} 44 Q60 38 ${60 + w + 2} 44 L${60 + w - 2} 90 H${60 - w + 2}Z" fill="${figure}"/>`;
  return svg(`<rect width="120" height="90" fill="${bg}"/>${longHair}${body}<circle cx="60" cy="26" r="11" fill="${figure}"/>${shortHair}`);
}

/** A data: URL for an <img> (the page's policy allows data: images). */
export const svgDataUrl = (markup: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;

/** A choice on the Generate step: its label, its picture, and the group the filter uses (women/men, or the place). */
export interface PresetOption {
  id: string;
  label: string;
  picture: string;
  group: string;
}

export const lookOptions = (lang: PresetLocale): PresetOption[] =>
  modelLooks().map((p, i) => ({ id: p.id, label: presetLabel(p, lang), picture: svgDataUrl(lookIllustration(p, i)), group: p.gender }));

export const sceneOptions = (lang: PresetLocale): PresetOption[] =>
  scenes().map((p) => ({ id: p.id, label: presetLabel(p, lang), picture: svgDataUrl(sceneIllustration(p)), group: p.category }));
