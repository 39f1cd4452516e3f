// Written by `make generate` from openapi.yaml (hey-api's zod plugin): do not edit.

import * as z from 'zod';

/**
 * Counts the resource's changes: its ETag is this number in quotes (`"3"`), so an item read from a list or a live event can be updated with `If-Match` without reading it first.
 */
export const zVersion = z.int().gte(1).lte(9223372036854776000);

export const zId = z.int().gte(1).lte(9223372036854776000);

/**
 * An email address in RFC 5321 syntax, ASCII only: a dot-atom local part of at most 64
 * characters, `@`, and a domain of two or more labels of at most 63 characters each. Reserved
 * names such as `example.test` are accepted: Taskboard sends no mail.
 *
 */
export const zEmail = z.string().min(3).max(254).regex(/^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/);

export const zPassword = z.string().min(8).max(128);

/**
 * A name to show to other users; no control or bidirectional-override characters.
 */
export const zDisplayName = z.string().min(1).max(100).regex(/^[^\x00-\x1F\x7F-\x9F\u2028\u2029‪-‮⁦-⁩]*$/);

export const zProjectName = z.string().min(1).max(100).regex(/^[^\x00-\x1F\x7F-\x9F\u2028\u2029‪-‮⁦-⁩]*$/);

/**
 * Free text; line feeds and tabs, but no other control or bidirectional-override characters.
 */
export const zProjectDescription = z.string().max(2000).regex(/^[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029‪-‮⁦-⁩]*$/).nullable();

export const zProject = z.object({
    id: zId,
    name: zProjectName,
    description: zProjectDescription,
    ownerId: zId,
    version: zVersion,
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true })
});

export const zProjectCreate = z.object({
    name: zProjectName,
    description: zProjectDescription.optional()
});

/**
 * Omitted fields are unchanged; `null` clears `description`.
 */
export const zProjectUpdate = z.object({
    name: zProjectName.optional(),
    description: zProjectDescription.optional()
});

/**
 * Pass as `cursor` for the next page; `null` on the last page.
 */
export const zNextCursor = z.string().nullable();

export const zProjectPage = z.object({
    items: z.array(zProject),
    nextCursor: zNextCursor
});

export const zMemberRole = z.enum(['owner', 'member']);

export const zMember = z.object({
    userId: zId,
    displayName: zDisplayName,
    role: zMemberRole,
    addedAt: z.iso.datetime({ offset: true })
});

export const zMemberPage = z.object({
    items: z.array(zMember),
    nextCursor: zNextCursor
});

/**
 * `pending` until the invitee accepts or declines it, or the owner revokes it.
 */
export const zInvitationStatus = z.enum([
    'pending',
    'accepted',
    'declined',
    'revoked'
]);

/**
 * An invitation of the user `userId` to a project, made by its owner `invitedBy`.
 */
export const zInvitation = z.object({
    id: zId,
    projectId: zId,
    projectName: zProjectName,
    userId: zId,
    invitedBy: zId,
    status: zInvitationStatus,
    createdAt: z.iso.datetime({ offset: true }),
    answeredAt: z.iso.datetime({ offset: true }).nullable()
});

export const zInvitationCreate = z.object({
    userId: zId
});

export const zInvitationPage = z.object({
    items: z.array(zInvitation),
    nextCursor: zNextCursor
});

export const zTaskStatus = z.enum([
    'todo',
    'in_progress',
    'done'
]);

export const zTaskTitle = z.string().min(1).max(200).regex(/^[^\x00-\x1F\x7F-\x9F\u2028\u2029‪-‮⁦-⁩]*$/);

/**
 * Free text; line feeds and tabs, but no other control or bidirectional-override characters.
 */
export const zTaskDescription = z.string().max(10000).regex(/^[^\x00-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029‪-‮⁦-⁩]*$/).nullable();

/**
 * A member of the project, or `null` for nobody.
 */
export const zAssignee = z.int().gte(1).lte(9223372036854776000).nullable();

export const zDueDate = z.iso.date().nullable();

export const zTask = z.object({
    id: zId,
    projectId: zId,
    title: zTaskTitle,
    description: zTaskDescription,
    status: zTaskStatus,
    assigneeId: zAssignee,
    dueDate: zDueDate,
    version: zVersion,
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true })
});

export const zTaskCreate = z.object({
    title: zTaskTitle,
    description: zTaskDescription.optional(),
    status: zTaskStatus.optional().default('todo'),
    assigneeId: zAssignee.optional(),
    dueDate: zDueDate.optional()
});

/**
 * Omitted fields are unchanged; `null` clears `description`, `assigneeId` and `dueDate`.
 */
export const zTaskUpdate = z.object({
    title: zTaskTitle.optional(),
    description: zTaskDescription.optional(),
    status: zTaskStatus.optional(),
    assigneeId: zAssignee.optional(),
    dueDate: zDueDate.optional()
});

export const zTaskPage = z.object({
    items: z.array(zTask),
    nextCursor: zNextCursor
});

/**
 * The id of a deleted task or project.
 */
export const zDeletedResource = z.object({
    id: zId
});

export const zRemovedMember = z.object({
    userId: zId
});

/**
 * Empty; the event's name says it all.
 */
export const zRefetch = z.record(z.string(), z.unknown());

/**
 * Resume after this event with `Last-Event-ID`.
 */
export const zEventId = z.string().regex(/^[0-9]{1,18}$/);

export const zTaskChangedEvent = z.object({
    id: zEventId,
    event: z.enum(['task.created', 'task.updated']),
    data: z.string()
});

export const zTaskDeletedEvent = z.object({
    id: zEventId,
    event: z.enum(['task.deleted']),
    data: z.string()
});

export const zMemberAddedEvent = z.object({
    id: zEventId,
    event: z.enum(['member.added']),
    data: z.string()
});

export const zMemberRemovedEvent = z.object({
    id: zEventId,
    event: z.enum(['member.removed']),
    data: z.string()
});

/**
 * `invitation.updated`: the invitation was accepted, declined or revoked (its `status`).
 */
export const zInvitationChangedEvent = z.object({
    id: zEventId,
    event: z.enum(['invitation.created', 'invitation.updated']),
    data: z.string()
});

export const zProjectUpdatedEvent = z.object({
    id: zEventId,
    event: z.enum(['project.updated']),
    data: z.string()
});

export const zProjectDeletedEvent = z.object({
    id: zEventId,
    event: z.enum(['project.deleted']),
    data: z.string()
});

/**
 * The events after `Last-Event-ID` are no longer kept; refetch what the page shows.
 */
export const zResetEvent = z.object({
    id: zEventId,
    event: z.enum(['reset']),
    data: z.string()
});

/**
 * One event of `streamProjectEvents`, as OpenAPI 3.2 describes Server-Sent Events: `data`
 * is JSON, whose schema the `event` name selects (the discriminator).
 *
 */
export const zProjectEvent = z.discriminatedUnion('event', [
    zTaskChangedEvent.extend({ event: z.literal('task.created') }),
    zTaskChangedEvent.extend({ event: z.literal('task.updated') }),
    zTaskDeletedEvent.extend({ event: z.literal('task.deleted') }),
    zMemberAddedEvent.extend({ event: z.literal('member.added') }),
    zMemberRemovedEvent.extend({ event: z.literal('member.removed') }),
    zInvitationChangedEvent.extend({ event: z.literal('invitation.created') }),
    zInvitationChangedEvent.extend({ event: z.literal('invitation.updated') }),
    zProjectUpdatedEvent.extend({ event: z.literal('project.updated') }),
    zProjectDeletedEvent.extend({ event: z.literal('project.deleted') }),
    zResetEvent.extend({ event: z.literal('reset') })
]);

/**
 * One event of `streamInvitations`: `data` is JSON, whose schema the `event` name selects
 * (the discriminator).
 *
 */
export const zInvitationEvent = z.discriminatedUnion('event', [
    zInvitationChangedEvent.extend({ event: z.literal('invitation.created') }),
    zInvitationChangedEvent.extend({ event: z.literal('invitation.updated') }),
    zResetEvent.extend({ event: z.literal('reset') })
]);

export const zExportFormat = z.enum(['csv', 'ndjson']);

export const zExportStatus = z.enum([
    'queued',
    'running',
    'succeeded',
    'failed'
]);

export const zExportCreate = z.object({
    format: zExportFormat
});

export const zExport = z.object({
    id: zId,
    projectId: zId,
    format: zExportFormat,
    status: zExportStatus,
    createdAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
    error: z.string().nullable(),
    rowCount: z.int().gte(0).nullable()
});

export const zExportPage = z.object({
    items: z.array(zExport),
    nextCursor: zNextCursor
});

export const zUserCreate = z.object({
    email: zEmail,
    password: zPassword,
    displayName: zDisplayName
});

/**
 * Omitted fields are left unchanged. A new `password` needs the `currentPassword`.
 */
export const zUserUpdate = z.object({
    displayName: zDisplayName.optional(),
    password: zPassword.optional(),
    currentPassword: z.string().min(1).max(128).optional()
});

/**
 * The caller's own account.
 */
export const zUser = z.object({
    id: zId,
    email: zEmail,
    displayName: zDisplayName,
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true })
});

/**
 * What any signed-in user may see of another.
 */
export const zUserProfile = z.object({
    id: zId,
    displayName: zDisplayName
});

export const zUserProfilePage = z.object({
    items: z.array(zUserProfile),
    nextCursor: zNextCursor
});

export const zTokenCreate = z.object({
    email: z.string().min(1).max(254),
    password: z.string().min(1).max(128)
});

export const zToken = z.object({
    accessToken: z.string(),
    tokenType: z.enum(['Bearer']),
    expiresAt: z.iso.datetime({ offset: true })
});

export const zStreamTicket = z.object({
    ticket: z.string(),
    expiresAt: z.iso.datetime({ offset: true })
});

export const zHealthStatus = z.enum(['ok']);

export const zHealth = z.object({
    status: zHealthStatus
});

/**
 * An RFC 9457 problem document.
 */
export const zProblem = z.object({
    type: z.string(),
    title: z.string(),
    status: z.int().gte(400).lte(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional()
});

/**
 * The bound that `code` names, under the keyword's name, as the contract states it.
 */
export const zFieldErrorParams = z.object({
    minLength: z.int().optional(),
    maxLength: z.int().optional(),
    minItems: z.int().optional(),
    maxItems: z.int().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    exclusiveMaximum: z.number().optional(),
    pattern: z.string().optional(),
    enum: z.array(z.unknown()).optional()
});

/**
 * What is wrong, stable for a UI to word in its own language: the JSON Schema keyword
 * of the contract that the value breaks (`required`, `type`, `format`, `minLength`,
 * `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
 * `minItems`, `maxItems`, `enum`, `additionalProperties` for a field the schema does not
 * have, `dependentRequired` for one required by another), with its bound in `params`;
 * or a rule beyond the schema: `repeated` (a form part sent twice), `notAMember` (the
 * assignee is not a member of the project), `emailPartTooLong` (a local part over 64
 * characters or a domain label over 63), `idempotencyKeyReused` (the key was used for
 * another request); `invalid` for anything else. `detail` says it in English, for
 * developers.
 *
 */
export const zFieldErrorCode = z.enum([
    'required',
    'type',
    'format',
    'minLength',
    'maxLength',
    'pattern',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minItems',
    'maxItems',
    'enum',
    'additionalProperties',
    'dependentRequired',
    'repeated',
    'notAMember',
    'emailPartTooLong',
    'idempotencyKeyReused',
    'invalid'
]);

export const zFieldError = z.object({
    in: z.enum([
        'body',
        'path',
        'query',
        'header'
    ]),
    pointer: z.string(),
    code: zFieldErrorCode,
    params: zFieldErrorParams.optional(),
    detail: z.string()
});

/**
 * A problem document that names every invalid field.
 */
export const zValidationProblem = zProblem.and(z.object({
    errors: z.array(zFieldError)
}));
