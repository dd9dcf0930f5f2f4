import { describe, expect, it } from 'vitest';
import { finishedAnswer, indentJSON, prettyRequested } from './pretty.js';

describe('pretty JSON', () => {
  it('indents as Go\'s MarshalIndent does, leaving strings and numbers as they are', () => {
    const text = '{"kind":"List","items":[],"metadata":{},"n":[1,-2.5e+3,true,null],"s":"a,b:{c}[\\"]","big":9007199254740993}\n';
    expect(indentJSON(text)).toBe(
      '{\n  "kind": "List",\n  "items": [],\n  "metadata": {},\n  "n": [\n    1,\n    -2.5e+3,\n    true,\n    null\n  ],\n  "s": "a,b:{c}[\\"]",\n  "big": 9007199254740993\n}',
    );
    expect(JSON.parse(indentJSON(text))).toEqual(JSON.parse(text));
  });

  it('is asked for by ?pretty= (Go booleans), else by curl, Wget and browsers', () => {
    expect(prettyRequested('/api/v1/pods?pretty=true', 'kubectl/v1.32')).toBe(true);
    expect(prettyRequested('/api/v1/pods?pretty=1', undefined)).toBe(true);
    expect(prettyRequested('/api/v1/pods?pretty=false', 'curl/8.0')).toBe(false);
    expect(prettyRequested('/api/v1/pods?pretty=yes', 'curl/8.0')).toBe(false);
    expect(prettyRequested('/api/v1/pods?pretty=', 'curl/8.0')).toBe(true);
    expect(prettyRequested('/api/v1/pods', 'curl/8.0')).toBe(true);
    expect(prettyRequested('/api/v1/pods', 'Wget/1.21')).toBe(true);
    expect(prettyRequested('/api/v1/pods', 'Mozilla/5.0 (X11)')).toBe(true);
    expect(prettyRequested('/api/v1/pods', 'kubectl/v1.32.4 (linux/amd64)')).toBe(false);
    expect(prettyRequested('/api/v1/pods?labelSelector=prettyish', 'python-requests')).toBe(false);
  });
});

describe('a finished answer', () => {
  it('is indented for a person, ends with Go\'s newline otherwise, and leaves /version, OpenAPI and streams alone', () => {
    const json = 'application/json';
    expect(finishedAnswer('/api/v1/pods', 'curl/8', json, '{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(finishedAnswer('/api/v1/pods', 'kubectl/v1.32', json, '{"a":1}')).toBe('{"a":1}\n');
    expect(finishedAnswer('/version', 'curl/8', json, '{\n  "major": "1"\n}')).toBe('{\n  "major": "1"\n}');
    expect(finishedAnswer('/openapi/v2', 'curl/8', json, '{"a":1}')).toBe('{"a":1}\n');
    expect(finishedAnswer('/api/v1/pods', 'curl/8', 'application/yaml', 'a: 1\n')).toBe('a: 1\n');
  });
});
