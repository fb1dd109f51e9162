// Users (issue 16, admins): the people of users.json with their roles, and
// the admin's changes to them — add, change role or password, log out
// everywhere, remove. The agent checks and audits each; the form checks with
// the same zod schema first so a short password never leaves the browser.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { addUserInput, setUserPasswordInput } from '@lvs-console/shared/api';
import { Button } from '../../components/ui/button';
import { ConfirmDialog } from '../../components/ui/confirm-dialog';
import { SelectField, TextField } from '../../components/ui/field';
import { Notice } from '../../components/ui/notice';
import { Panel } from '../../components/ui/panel';
import { useIsAdmin, useWhoami } from '../../lib/agent';
import { dateTime } from '../../lib/format-time';
import { t } from '../../lib/i18n';
import { codeLabel } from '../../lib/labels';
import { errorMessage, trpc, trpcClient, type RouterOutputs } from '../../lib/trpc';

type UserRow = RouterOutputs['users']['list'][number];
type Role = UserRow['role'];
const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** A users.* mutation that refreshes the list afterwards. */
function useUsersChange<Input, Output>(call: (input: Input) => Promise<Output>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSettled: () => client.invalidateQueries({ queryKey: trpc.users.pathKey() }) });
}

export default function UsersPage() {
  const isAdmin = useIsAdmin();
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: isAdmin });
  if (!isAdmin) return <Notice tone="warn">{t('The Users page is for admins.')}</Notice>;
  return (
    <div className="flex flex-col gap-3">
      <h1 className="text-lg font-semibold">{t('Users')}</h1>
      <p className="text-sm text-slate-600">
        {t(
          "People who log in to the console with a name and a password: the same list as `lvs-console user list` on the director. A new role or password ends that person's sessions.",
        )}
      </p>
      {users.error ? <Notice tone="error">{errorMessage(users.error)}</Notice> : null}
      {users.data ? (
        <UsersTable users={users.data} />
      ) : users.error ? null : (
        <p role="status" className="text-sm text-slate-500">
          {t('Loading…')}
        </p>
      )}
      <AddUserPanel />
    </div>
  );
}

function UsersTable({ users }: { users: UserRow[] }) {
  const me = useWhoami().data?.name;
  const setRole = useUsersChange((input: { name: string; role: Role }) => trpcClient.users.setRole.mutate(input));
  const endSessions = useUsersChange((name: string) => trpcClient.users.endSessions.mutate({ name }));
  const remove = useUsersChange((name: string) => trpcClient.users.remove.mutate({ name }));
  const [passwordFor, setPasswordFor] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const error = setRole.error ?? endSessions.error ?? remove.error;
  return (
    <Panel title={t('People')}>
      {users.length === 0 ? (
        <p className="text-sm text-slate-500">{t('No users yet: add the first one below.')}</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1">{t('Name')}</th>
              <th>{t('Role')}</th>
              <th>{t('Sessions')}</th>
              <th>{t('Added')}</th>
              <th>
                <span className="sr-only">{t('Actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.name} className="border-t border-slate-100 align-top">
                <td className="py-1.5 font-medium">
                  {user.name}
                  {user.name === me ? <span className="ml-1 text-xs text-slate-500">{t('(you)')}</span> : null}
                </td>
                <td>
                  <select
                    aria-label={t('Role of {{name}}', { name: user.name })}
                    value={user.role}
                    disabled={setRole.isPending}
                    className="rounded border border-slate-300 px-1 py-0.5 text-sm"
                    onChange={(e) => {
                      if (isRole(e.target.value)) setRole.mutate({ name: user.name, role: e.target.value });
                    }}
                  >
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {codeLabel(role)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{user.sessions}</td>
                <td className="whitespace-nowrap text-xs">{dateTime(user.createdAt)}</td>
                <td className="flex flex-wrap justify-end gap-1 py-1">
                  <Button
                    aria-label={t('Change the password of {{name}}', { name: user.name })}
                    onClick={() => setPasswordFor(passwordFor === user.name ? null : user.name)}
                  >
                    {t('Change password')}
                  </Button>
                  <Button
                    aria-label={t('Log {{name}} out everywhere', { name: user.name })}
                    disabled={endSessions.isPending || user.sessions === 0}
                    onClick={() => endSessions.mutate(user.name)}
                  >
                    {t('Log out everywhere')}
                  </Button>
                  <Button
                    variant="danger"
                    aria-label={t('Remove {{name}}', { name: user.name })}
                    disabled={user.name === me}
                    title={user.name === me ? t('You cannot remove yourself') : undefined}
                    onClick={() => setRemoving(user.name)}
                  >
                    {t('Remove')}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {passwordFor ? <PasswordForm key={passwordFor} name={passwordFor} onDone={() => setPasswordFor(null)} /> : null}
      {endSessions.data ? (
        <Notice tone="ok" className="mt-2">
          {t('Ended {{count}} sessions.', { count: endSessions.data.ended })}
        </Notice>
      ) : null}
      {error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(error)}
        </Notice>
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={t('Remove {{name}}?', { name: removing })}
          confirmLabel={t('Remove {{name}}', { name: removing })}
          busy={remove.isPending}
          onCancel={() => setRemoving(null)}
          onConfirm={() => remove.mutate(removing, { onSettled: () => setRemoving(null) })}
        >
          <p>{t('{{name}} can no longer log in, and their sessions end at once.', { name: removing })}</p>
        </ConfirmDialog>
      ) : null}
    </Panel>
  );
}

function PasswordForm({ name, onDone }: { name: string; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const change = useUsersChange((input: { name: string; password: string }) => trpcClient.users.setPassword.mutate(input));
  const checked = setUserPasswordInput.safeParse({ name, password });
  return (
    <form
      className="mt-3 flex flex-wrap items-end gap-2 border-t border-slate-100 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (checked.success) change.mutate(checked.data, { onSuccess: onDone });
      }}
    >
      <TextField
        label={t('New password for {{name}}', { name })}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        className="w-64"
        hint={t('At least 12 characters.')}
      />
      <Button type="submit" variant="primary" disabled={!checked.success || change.isPending}>
        {t('Save password')}
      </Button>
      <Button onClick={onDone}>{t('Cancel')}</Button>
      {change.error ? <Notice tone="error">{errorMessage(change.error)}</Notice> : null}
    </form>
  );
}

function AddUserPanel() {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const add = useUsersChange((input: { name: string; role: Role; password: string }) => trpcClient.users.add.mutate(input));
  const checked = addUserInput.safeParse({ name, role, password });
  const nameProblem = name !== '' && !checked.success && checked.error.issues.some((issue) => issue.path[0] === 'name');
  return (
    <Panel title={t('Add a user')}>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (checked.success)
            add.mutate(checked.data, {
              onSuccess: () => {
                setName('');
                setPassword('');
              },
            });
        }}
      >
        <TextField
          label={t('Name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          className="w-48"
          autoComplete="off"
          aria-invalid={nameProblem}
          hint={nameProblem ? t('Letters, digits, . _ @ or -, starting with a letter or digit.') : undefined}
        />
        <SelectField
          label={t('Role')}
          value={role}
          onChange={(e) => {
            if (isRole(e.target.value)) setRole(e.target.value);
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {codeLabel(r)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('Password')}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className="w-64"
          hint={t('At least 12 characters.')}
        />
        <Button type="submit" variant="primary" disabled={!checked.success || add.isPending}>
          {t('Add user')}
        </Button>
      </form>
      <p className="mt-2 text-xs text-slate-500">{t('Admins change everything; operators change weights and drain servers; viewers only look.')}</p>
      {add.error ? (
        <Notice tone="error" className="mt-2">
          {errorMessage(add.error)}
        </Notice>
      ) : null}
      {add.isSuccess ? (
        <Notice tone="ok" className="mt-2">
          {t('Added.')}
        </Notice>
      ) : null}
    </Panel>
  );
}
