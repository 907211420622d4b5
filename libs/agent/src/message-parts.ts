import { z } from 'zod';
import type { PartType } from './entities/part.entity';

// What each part type must carry. Text and reasoning hold their text; tool calls name the tool and
// the call id that its result answers; files say what they are and where they live.

const MAX_TEXT_LENGTH = 1_048_576;
const toolName = z.string().min(1).max(255);
const toolCallId = z.string().min(1).max(255);
// jsonb cannot hold the NUL character (\u0000): refuse it here rather than fail in SQL.
const withoutNul = (value: unknown) => !JSON.stringify(value).includes('\\u0000');
const jsonObject = z.record(z.string(), z.unknown()).refine(withoutNul, 'must not contain the NUL character');
const sortOrder = z.number().int().min(0).max(2_147_483_647).optional();

const textContent = z
  .looseObject({ text: z.string().max(MAX_TEXT_LENGTH) })
  .refine(withoutNul, 'must not contain the NUL character');

export const partInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), content: textContent, sortOrder }),
  z.strictObject({ type: z.literal('reasoning'), content: textContent, sortOrder }),
  z.strictObject({ type: z.literal('tool_call'), toolName, toolCallId, content: jsonObject.default({}), sortOrder }),
  z.strictObject({
    type: z.literal('tool_result'),
    toolCallId,
    toolName: toolName.optional(),
    content: jsonObject.default({}),
    sortOrder,
  }),
  z.strictObject({
    type: z.literal('file'),
    content: z
      .looseObject({
        mimeType: z.string().min(1).max(255),
        url: z.url().max(4096).optional(),
        path: z.string().min(1).max(4096).optional(),
        name: z.string().min(1).max(255).optional(),
      })
      .refine((file) => file.url !== undefined || file.path !== undefined, 'a file part needs a url or a path')
      .refine(withoutNul, 'must not contain the NUL character'),
    sortOrder,
  }),
]);

export type PartInput = z.input<typeof partInputSchema>;

/** A validated part, ready for its row. */
export interface PartRow {
  type: PartType;
  sortOrder: number;
  content: Record<string, unknown>;
  toolName: string | null;
  toolCallId: string | null;
}

/**
 * Validates parts and gives each its sort order: explicit ones are kept (and must be distinct),
 * the others follow the list order after `firstSortOrder`.
 */
export const partListSchema = (firstSortOrder = 0) =>
  z
    .array(partInputSchema)
    .max(1000)
    .transform((parts): PartRow[] =>
      parts.map((part, index) => ({
        type: part.type,
        sortOrder: part.sortOrder ?? firstSortOrder + index,
        content: part.content,
        toolName: 'toolName' in part ? (part.toolName ?? null) : null,
        toolCallId: 'toolCallId' in part ? part.toolCallId : null,
      })),
    )
    .superRefine((rows, context) => {
      const seen = new Set<number>();
      rows.forEach((row, index) => {
        if (seen.has(row.sortOrder)) {
          context.addIssue({
            code: 'custom',
            path: [index, 'sortOrder'],
            message: `duplicate sort order ${row.sortOrder}`,
          });
        }
        seen.add(row.sortOrder);
      });
    });
