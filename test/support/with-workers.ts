// The setup of jest's "workers" project (jest.config.js): every service a suite starts runs as
// an owner process and two workers (test/support/service-process passes KVS_WORKERS on).
process.env.KVS_WORKERS = '2';
