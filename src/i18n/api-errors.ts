// The server's error messages in the merchant's language. Every error keeps its English message (logs, API clients that
// name no language); a browser set to Chinese (the language cookie, or Accept-Language) reads these instead. Numbers a
// message needs travel with the error (ApiError.params); without them the plain wording is used.
import type { Lang } from './messages.ts';

export type ErrorParams = Record<string, string | number>;
type Entry = string | { text: string; plain: string };

const ZH: Record<string, Entry> = {
  // Photos
  empty_file: '文件是空的。请选择一张照片（JPEG、PNG 或 WebP）。',
  not_an_image: '这个文件不是我们能读取的照片。请上传 JPEG、PNG 或 WebP 图片。',
  unsupported_format: '不支持这种图片格式（或动图）。请上传 JPEG、PNG 或 WebP 图片。',
  corrupt_image: '照片文件已损坏或不完整（可能没有上传完）。请重试。',
  file_too_large: { text: '文件超过 {max}。请上传更小的照片。', plain: '文件太大。请上传更小的照片。' },
  too_many_pixels: {
    text: '这张照片有 {megapixels} 百万像素，上限为 {max} 百万像素。请上传更小的照片。',
    plain: '这张照片的像素太多。请上传更小的照片。',
  },
  unsupported_shape: {
    text: '这张照片是 {width}×{height} 像素。照片每边至少需要 {min} 像素，长边不超过短边的 {aspect} 倍。请换一张照片。',
    plain: '这张照片太小或太狭长。请换一张照片。',
  },
  busy: { text: '工作室同时收到的照片太多。请 {seconds} 秒后再试。', plain: '工作室同时收到的照片太多。请稍后再试。' },
  model_missing: '服务器上还没有安装选取模型，暂时不能处理照片。请联系负责工作室的人。',
  unknown_file: '没有这个照片文件。',
  // Selection and pose
  empty_mask: '选区是空的。',
  mask_not_png: '选区必须是 PNG 图片。',
  mask_size_mismatch: '选区的尺寸与照片不一致。',
  corrupt_mask: '选区 PNG 已损坏。',
  conflict: '选区同时被另一次保存修改了，请重试。',
  no_pose: '这个会话还没有保存姿势。请先在姿势步骤中保存一个。',
  invalid_size: '请求的尺寸无效，请给出更小的尺寸。',
  invalid_base_rev: '这次编辑的版本信息无效。',
  invalid_edited_at: '这次编辑的时间信息无效。',
  // Generation and batches
  mask_required: '请先选取服装（第 1 步）并保存选区。',
  pose_required: '请先检查并保存姿势（第 2 步）。',
  seed_required: '“再来几张类似的”需要那张结果的种子。',
  unknown_preset: '没有这个模特形象或场景，请重新选择。',
  lora_required: '这种生成方式需要服装 LoRA：请从列表中选择一个。',
  no_backend: '还没有配置图像生成服务器。请联系负责工作室的人（设置 SD_WEBUI_URL 后重启）。',
  batch_canceled: '这个批次已取消，请开始一个新批次。',
  batch_too_large: '一个批次最多 500 张照片。其余的请放到另一个批次。',
  nothing_to_generate: '这个批次中还没有可以生成的照片。',
  // Accounts and limits
  sign_in_required: '请先登录。',
  wrong_credentials: '邮箱或密码不正确（或这个账户已不属于任何工作区）。',
  wrong_password: '密码不正确。',
  weak_password: { text: '请设置至少 {min} 个字符的密码。', plain: '密码太短，请换一个更长的密码。' },
  already_set_up: '这个工作室已经有所有者了，请直接登录。',
  last_owner: '工作区至少要保留一位所有者。',
  invite_invalid: '这个邀请链接已过期或已被使用，请索取新的链接。',
  forbidden: '你的角色（或这个 API 密钥的权限）不能执行此操作。请联系工作区所有者。',
  invalid_key: 'API 密钥无效：已被吊销或输入有误。',
  setup_required: '工作室尚未设置：请在浏览器中打开它并创建所有者账户。',
  too_many_attempts: { text: '登录尝试次数过多，请 {minutes} 分钟后再试。', plain: '登录尝试次数过多，请稍后再试。' },
  quota_exceeded: {
    text: '这个工作区的存储空间已用完（已用 {used} MB，共 {limit} MB）。请删除不再需要的会话，或请负责工作室的人增加空间。',
    plain: '这个工作区的存储空间已用完。请删除不再需要的会话，或请负责工作室的人增加空间。',
  },
  too_many_jobs: {
    text: '这个工作区将有 {waiting} 个生成任务在等待或进行中（上限为 {limit} 个）。请等一些完成后再开始。',
    plain: '这个工作区等待中的生成任务太多。请等一些完成后再开始。',
  },
  too_many_uploads: {
    text: '这个工作区一分钟内已上传 {limit} 张照片（每分钟上限 {limit} 张）。请 {seconds} 秒后再试。',
    plain: '这个工作区一分钟内上传的照片太多。请稍后再试。',
  },
  disk_full: '工作室的存储空间已满，无法保存新内容。请删除不再需要的会话，或请负责工作室的人清理空间。',
  // Requests a page does not make (API clients)
  not_found: '找不到要找的内容，它可能已被删除。',
  invalid_id: '链接中的编号无效。',
  invalid_input: '填写的内容有误，请检查后重试。',
  invalid_json: '请求内容不是有效的 JSON。',
  expected_json: '请求内容必须是 JSON。',
  not_json: '请求内容必须是 JSON。',
  expected_multipart: '请以 multipart/form-data 发送照片。',
  missing_field: '请求中缺少照片文件。',
  bad_multipart: '上传不完整或格式无效，请重试。',
  body_too_large: { text: '请求超过 {max}。', plain: '请求太大。' },
  invalid_limit: '列表的分页参数无效。',
  invalid_cursor: '列表的分页位置无效，请从头开始。',
  host_not_allowed: '工作室不接受这个地址的请求。',
  cross_site: '不允许来自其他网站的请求。',
  method_not_allowed: '不允许这种请求方式。',
  internal: '服务器出了问题，请重试。',
};

/** Codes with a Chinese message (tests check every code the server uses is here). */
export const TRANSLATED_ERROR_CODES: readonly string[] = Object.keys(ZH);

/** The message to send: the English one, or the merchant's language when there is a translation. */
export function apiErrorMessage(code: string, english: string, lang: Lang, params: ErrorParams = {}): string {
  if (lang !== 'zh-CN') return english;
  const entry = ZH[code];
  if (entry === undefined) return english;
  if (typeof entry === 'string') return entry;
  const names = [...entry.text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (!names.every((n) => params[n] !== undefined)) return entry.plain;
  return entry.text.replace(/\{(\w+)\}/g, (_, n: string) => String(params[n]));
}
