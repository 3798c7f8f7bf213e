// Local users (admin only).
import type { User, UserInput, UserPatch, UsersResponse } from '../types/auth';
import { request, seg } from './client';

export function listUsers(signal?: AbortSignal): Promise<UsersResponse> {
  return request<UsersResponse>('/users', { signal });
}

export function createUser(input: UserInput): Promise<User> {
  return request<User>('/users', { method: 'POST', body: input });
}

export function updateUser(name: string, patch: UserPatch): Promise<User> {
  return request<User>(`/users/${seg(name)}`, { method: 'PATCH', body: patch });
}

export function deleteUser(name: string): Promise<void> {
  return request<void>(`/users/${seg(name)}`, { method: 'DELETE' });
}
