// One input generated from a provider profile field, with its server-side errors beside it.
import type { ProfileField } from '../../../shared/providers/profile'
import form from '../styles/form.module.css'

export function FieldInput(props: {
  id: string
  field: Pick<ProfileField, 'name' | 'label' | 'kind' | 'required' | 'placeholder' | 'help'>
  value: string
  errors?: string[]
  placeholder?: string
  onChange: (value: string) => void
}) {
  const { field, id, errors } = props
  const describedBy = [errors?.length ? `${id}-errors` : '', field.help ? `${id}-help` : '']
    .filter(Boolean)
    .join(' ')
  const invalid = errors && errors.length > 0 ? true : undefined
  if (field.kind === 'checkbox') {
    return (
      <div className={form.field} data-field={field.name}>
        <label className={form.check}>
          <input
            id={id}
            type="checkbox"
            checked={props.value === 'true'}
            aria-invalid={invalid}
            aria-describedby={describedBy || undefined}
            onChange={(e) => props.onChange(e.target.checked ? 'true' : 'false')}
          />
          {field.label}
        </label>
        <FieldHelpAndErrors id={id} help={field.help} errors={errors} />
      </div>
    )
  }
  return (
    <div className={form.field} data-field={field.name}>
      <label htmlFor={id}>
        {field.label}
        {field.required ? null : <span className="muted"> (optional)</span>}
      </label>
      <input
        id={id}
        type={field.kind === 'secret' ? 'password' : field.kind === 'email' ? 'email' : 'text'}
        autoComplete={field.kind === 'secret' ? 'new-password' : 'off'}
        spellCheck={false}
        value={props.value}
        placeholder={props.placeholder ?? field.placeholder}
        aria-required={field.required || undefined}
        aria-invalid={invalid}
        aria-describedby={describedBy || undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <FieldHelpAndErrors id={id} help={field.help} errors={errors} />
    </div>
  )
}

function FieldHelpAndErrors(props: {
  id: string
  help?: string | undefined
  errors?: string[] | undefined
}) {
  return (
    <>
      {props.help ? (
        <span id={`${props.id}-help`} className={form.hint}>
          {props.help}
        </span>
      ) : null}
      {props.errors && props.errors.length > 0 ? (
        <span id={`${props.id}-errors`} className={form.fieldError} data-testid="field-error">
          {props.errors.join(' ')}
        </span>
      ) : null}
    </>
  )
}
