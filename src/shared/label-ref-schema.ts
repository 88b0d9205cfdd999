// A label naming an account in a request, as a zod mini schema (the client operations and the
// agent protocol). Apart from labels.ts so the window, which uses the label rules, loads no zod.
import * as z from 'zod/mini'
import { LABEL_INPUT_MAX, isLabelRef } from './labels'

/** A label naming an account in a request (zod mini, as the agent protocol is written). */
export const labelRefSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(LABEL_INPUT_MAX),
    z.refine(isLabelRef, 'Not an account label (1 to 200 characters, no control characters).'),
  )
