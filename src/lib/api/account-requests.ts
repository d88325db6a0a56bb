// Request bodies of the account routes (src/pages/api/auth, /api/invites, /api/workspace), shared with the forms.
import { z } from 'zod';

const Email = z.string().trim().pipe(z.email('enter an e-mail address').max(254));
const Password = z.string().min(1, 'enter the password').max(1024);

export const SetupRequest = z.object({ email: Email, password: Password, workspaceName: z.string().trim().max(80).default('') });
export const SignInRequest = z.object({ email: Email, password: Password });
export const SignOutRequest = z.object({ everywhere: z.boolean().default(false) }).default({ everywhere: false });
export const PasswordChangeRequest = z.object({ currentPassword: Password, newPassword: Password });
export const AcceptInviteRequest = z.object({ email: Email, password: Password });
export const InviteRequest = z.object({ role: z.enum(['owner', 'editor', 'viewer']) });
export const ApiKeyRequest = z.object({
  name: z.string().trim().min(1, 'give the key a name').max(80),
  scope: z.enum(['read', 'generate', 'admin']),
});
export const WorkspaceRequest = z.object({ name: z.string().trim().min(1, 'give the workspace a name').max(80) });
export const SwitchWorkspaceRequest = z.object({ workspaceId: z.string().min(1) });
