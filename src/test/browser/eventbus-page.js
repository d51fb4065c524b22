// What a web app on another origin does with the service: connect to /eventbus with the official client
// (forced onto one SockJS transport), listen to uow.events and to its unit's commit progress, commit a
// unit through the REST API, and try a send the bridge must refuse. Everything seen is reported.
'use strict';

function connect(service, token, transport) {
  return new Promise((resolve, reject) => {
    const eb = new EventBus(service + '/eventbus?access_token=' + encodeURIComponent(token), {
      transports: [transport],
      vertxbus_ping_interval: 2000,
    });
    const timer = setTimeout(() => reject(new Error('no connection within 15 s')), 15000);
    eb.onopen = () => {
      clearTimeout(timer);
      resolve(eb);
    };
    eb.onclose = (e) => {
      clearTimeout(timer);
      reject(new Error('closed before it opened: ' + (e && e.code) + ' ' + (e && e.reason)));
    };
  });
}

async function api(service, token, method, path, body) {
  const response = await fetch(service + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(method + ' ' + path + ' answered ' + response.status + ': ' + text);
  }
  return text ? JSON.parse(text) : null;
}

function waitFor(check, what, ms) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) {
        resolve();
      } else if (Date.now() - started > ms) {
        reject(new Error('waited ' + ms + ' ms for ' + what));
      } else {
        setTimeout(tick, 50);
      }
    };
    tick();
  });
}

/** The whole scenario on one transport; resolves to what was seen (never rejects: errors are reported). */
window.runScenario = async function ({ service, token, transport, entityId }) {
  const seen = { transport, opened: false, transportUsed: null, events: [], progress: [], errors: [], failure: null };
  let eb;
  try {
    eb = await connect(service, token, transport);
    seen.opened = true;
    seen.transportUsed = eb.sockJSConn.transport;
    eb.onerror = (err) => seen.errors.push(err);

    const unit = (await api(service, token, 'POST', '/api/v1/units-of-work')).id;
    eb.registerHandler('uow.events', (err, message) => {
      if (!err && message.body.unit_of_work_id === unit) {
        seen.events.push(message.body.type);
      }
    });
    eb.registerHandler('uow.progress.' + unit, (err, message) => {
      if (!err) {
        seen.progress.push(message.body.phase);
      }
    });
    // registration is not acknowledged by the protocol, but the bridge handles a session's frames in
    // order: once the refusal of this send is back, both registrations above are in effect
    eb.send('uow.units.0', { action: 'create' });
    await waitFor(() => seen.errors.length > 0, 'the refusal of an inbound send', 10000);

    await api(service, token, 'POST', '/api/v1/units-of-work/' + unit + '/entities/new',
      { type: 'custom', id: entityId, name: 'seen from a browser' });
    await api(service, token, 'POST', '/api/v1/units-of-work/' + unit + '/commit');
    await waitFor(() => seen.events.includes('unit_of_work.committed'), 'the committed event', 15000);
  } catch (e) {
    seen.failure = String(e && e.message || e);
  } finally {
    if (eb && eb.state === EventBus.OPEN) {
      eb.close();
    }
  }
  return seen;
};
