// Notification channels (`/channels`): CRUD with write-only secrets, a test send, and the channel
// kinds with their config schemas (`/channel-types`).
import type { Channel, ChannelInput, ChannelsResponse, ChannelTestResult, ChannelTypesResponse } from '../types/alerts';
import { query, request, seg } from './client';

export function listChannelTypes(signal?: AbortSignal): Promise<ChannelTypesResponse> {
  return request<ChannelTypesResponse>('/channel-types', { signal });
}

export function listChannels(params: { kind?: string } = {}, signal?: AbortSignal): Promise<ChannelsResponse> {
  return request<ChannelsResponse>(`/channels${query({ limit: 1000, ...params })}`, { signal });
}

export function createChannel(input: ChannelInput): Promise<Channel> {
  return request<Channel>('/channels', { method: 'POST', body: input });
}

/** Secret fields left out of `config` keep their stored values (unless the channel's target changes). */
export function updateChannel(id: string, input: Partial<ChannelInput>): Promise<Channel> {
  return request<Channel>(`/channels/${seg(id)}`, { method: 'PATCH', body: input });
}

export function deleteChannel(id: string): Promise<void> {
  return request<void>(`/channels/${seg(id)}`, { method: 'DELETE' });
}

/** Send the fixed test message through the stored channel now (logged in the delivery log). */
export function testChannel(id: string): Promise<ChannelTestResult> {
  return request<ChannelTestResult>(`/channels/${seg(id)}/test`, { method: 'POST' });
}
