// UI strings in English and Simplified Chinese. Keys are shared; {name} placeholders are filled by t().
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

const en = {
  'app.name': 'Atelier',
  'app.tagline': 'Catalogue photos of a model wearing your exact garment.',
  'nav.sessions': 'Sessions',
  'nav.new': 'New photo',
  'lang.switch': '中文',
  'upload.title': 'Start with a photo of your garment',
  'upload.hint': 'On a mannequin, a dress form or a person. Drop it here, choose a file, or paste it (Ctrl+V).',
  'upload.choose': 'Choose photo',
  'upload.formats': 'JPEG, PNG or WebP, up to {mb} MB',
  'upload.sending': 'Uploading… {pct}%',
  'upload.analysing': 'Preparing the photo for selection…',
  'upload.failed': 'Upload failed: {message}',
  'upload.offline': 'You are offline. Connect to upload a new photo.',
  'sessions.title': 'Recent sessions',
  'sessions.empty': 'No sessions yet. Upload a photo to start.',
  'sessions.open': 'Open',
  'sessions.masked': 'Garment selected',
  'sessions.unmasked': 'No selection yet',
  'studio.step.garment': '1 · Garment',
  'studio.step.pose': '2 · Pose',
  'studio.step.generate': '3 · Generate',
  'studio.notFound': 'This session does not exist (it may have been deleted).',
  'studio.backToSessions': 'Back to sessions',
  'editor.loading': 'Loading the selection tool…',
  'editor.loadingModel': 'Selection model',
  'editor.loadingEmbedding': 'Photo analysis',
  'editor.ready': 'Click the garment to select it.',
  'editor.failed': 'The selection tool could not start: {message}',
  'editor.tool.point': 'Click',
  'editor.tool.box': 'Box',
  'editor.tool.brush': 'Brush',
  'editor.mode.add': 'Add',
  'editor.mode.remove': 'Remove',
  'editor.brushSize': 'Brush size',
  'editor.undo': 'Undo',
  'editor.redo': 'Redo',
  'editor.invert': 'Invert',
  'editor.clear': 'Clear',
  'editor.save': 'Save selection',
  'editor.saving': 'Saving…',
  'editor.saved': 'Saved',
  'editor.saveFailed': 'Could not save: {message}',
  'editor.unsaved': 'Unsaved changes',
  'editor.area': 'Selected: {pct}% of the photo',
  'editor.pixels': 'pixels',
  'editor.candidates': 'Other shapes',
  'editor.candidate': 'Shape {n}',
  'editor.help':
    'Left click adds what you click; right click or Alt+click removes. Drag a box with the Box tool. Shortcuts: Ctrl+Z undo, Ctrl+Shift+Z redo, [ ] brush size, I invert, Ctrl+S save.',
  'editor.modelsMissing': 'The selection model is not installed on the server. Ask your administrator to run “{command}”.',
  'error.generic': 'Something went wrong. Please try again.',
  'error.network': 'No connection to the studio. Check your internet connection and try again.',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  'app.name': 'Atelier 衣坊',
  'app.tagline': '让真实模特穿上你的原版服装，生成目录照片。',
  'nav.sessions': '会话',
  'nav.new': '新照片',
  'lang.switch': 'English',
  'upload.title': '从一张服装照片开始',
  'upload.hint': '人台、衣架模特或真人穿着均可。拖到这里、选择文件或粘贴（Ctrl+V）。',
  'upload.choose': '选择照片',
  'upload.formats': 'JPEG、PNG 或 WebP，最大 {mb} MB',
  'upload.sending': '正在上传… {pct}%',
  'upload.analysing': '正在准备照片以便选取…',
  'upload.failed': '上传失败：{message}',
  'upload.offline': '当前离线。连接网络后才能上传新照片。',
  'sessions.title': '最近的会话',
  'sessions.empty': '还没有会话。上传一张照片开始吧。',
  'sessions.open': '打开',
  'sessions.masked': '已选取服装',
  'sessions.unmasked': '尚未选取',
  'studio.step.garment': '1 · 服装',
  'studio.step.pose': '2 · 姿势',
  'studio.step.generate': '3 · 生成',
  'studio.notFound': '这个会话不存在（可能已被删除）。',
  'studio.backToSessions': '返回会话列表',
  'editor.loading': '正在加载选取工具…',
  'editor.loadingModel': '选取模型',
  'editor.loadingEmbedding': '照片分析',
  'editor.ready': '点击服装即可选中。',
  'editor.failed': '选取工具无法启动：{message}',
  'editor.tool.point': '点选',
  'editor.tool.box': '框选',
  'editor.tool.brush': '画笔',
  'editor.mode.add': '添加',
  'editor.mode.remove': '移除',
  'editor.brushSize': '画笔大小',
  'editor.undo': '撤销',
  'editor.redo': '重做',
  'editor.invert': '反选',
  'editor.clear': '清除',
  'editor.save': '保存选区',
  'editor.saving': '正在保存…',
  'editor.saved': '已保存',
  'editor.saveFailed': '保存失败：{message}',
  'editor.unsaved': '有未保存的修改',
  'editor.area': '已选：照片的 {pct}%',
  'editor.pixels': '像素',
  'editor.candidates': '其他形状',
  'editor.candidate': '形状 {n}',
  'editor.help': '左键点击添加所点区域；右键或 Alt+点击移除。用“框选”工具拖出方框。快捷键：Ctrl+Z 撤销，Ctrl+Shift+Z 重做，[ ] 调整画笔，I 反选，Ctrl+S 保存。',
  'editor.modelsMissing': '服务器尚未安装选取模型。请管理员运行“{command}”。',
  'error.generic': '出了点问题，请重试。',
  'error.network': '无法连接到工作室。请检查网络后重试。',
};

const DICTS: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zh };

export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = DICTS[lang]?.[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}

export function dictionary(lang: Lang): Record<MessageKey, string> {
  return DICTS[lang];
}

/** Cookie first, then the browser's preferred languages. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | null): Lang {
  if (cookie === 'en' || cookie === 'zh-CN') return cookie;
  return /^\s*zh/i.test(acceptLanguage ?? '') ? 'zh-CN' : 'en';
}
